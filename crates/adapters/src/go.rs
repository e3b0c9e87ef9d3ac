//! The Go benchmark format (Go proposal 14313; what `go test -bench` prints and what
//! golang.org/x/perf/benchfmt reads), as benchstat reads it, onto the canonical model.
//!
//! # Lines
//! - `key: value` (the key starts with a lower-case letter and has neither spaces nor upper-case
//!   letters) sets a configuration value for every result after it, until it is set again; an
//!   empty value unsets it. `go test` prints `goos`, `goarch`, `pkg` and `cpu` for each package;
//!   anything else (`commit: abc`, a TestMain's `dataset: v1`, even a line a benchmark prints) is a
//!   user key, exactly as benchfmt treats it.
//! - `Benchmark<Name> <iterations> <value> <unit> [<value> <unit>]...` is one result.
//! - `Unit <unit> better=higher|lower assume=exact|nothing` is unit metadata, for the whole input
//!   (before or after the results); other keys go to `Context.tags["go.unit.<unit>.<key>"]`. A
//!   key given two different values is an error.
//! - `--- FAIL: Benchmark<Name>` / `--- SKIP: Benchmark<Name>` give a status, with the message in
//!   the indented lines after it (plain output) or, in chatty output (`-v`, `-json`), in the
//!   indented lines between the bare `Benchmark<Name>` line and it.
//! - Everything else (`PASS`, `ok  pkg 1.2s`, `--- BENCH:` log blocks, printed text) is not a
//!   result. `ok`/`FAIL`/`?` package summary lines go to `Context.tags["go.package.<pkg>"]`,
//!   verbatim.
//!
//! A benchmark that prints to stdout splits its result: the name line goes on with the printed
//! text (`BenchmarkChatty   \tsome output`), and the numbers come on a later line of their own
//! (`    1000\t  186.5 ns/op`). benchfmt cannot read these (it reports a syntax error and loses the
//! result); this parser joins them: a `Benchmark` line whose second field is not an iteration
//! count opens a pending result that the next line of the form `<iterations> <value> <unit>...`
//! completes. A pending result whose package ends first (`FAIL pkg`: the benchmark panicked or
//! exited) is a failed benchmark; an input that ends in the middle of one is an error
//! (truncated), and a pending result replaced by another `Benchmark` line is counted in
//! `Context.tags["go.unfinished"]` (a printed line that only looks like a benchmark name).
//! Chatty output prints a benchmark's name only with its result, so there the benchmark that
//! was running when its package FAILed is the last one announced (`BenchmarkX` alone on a line)
//! with neither a result nor a status since; it fails with the `panic:` line, if any.
//!
//! A line that has a benchmark name and an iteration count but a broken value/unit list, or that
//! has a value/unit list after something that is not an iteration count, is an error naming the
//! line and what was expected.
//!
//! # Mapping
//! - name: the Go name without `Benchmark`, keeping the GOMAXPROCS suffix (`Encode/size=1k-8`,
//!   as benchstat shows it). The same name in two packages is not a repetition: every
//!   occurrence of a name found in more than one `pkg` is called `{pkg}.{name}`
//!   (`example.com/b/parse.Parse-2`).
//! - params: the `key=value` parts of the sub-benchmark name, and `procs` = N for a `-N` suffix
//!   (`gomaxprocs` if the name itself has a `procs=` part).
//! - labels: every configuration value in effect for the benchmark's results (`goos`, `goarch`,
//!   `pkg`, `cpu`, user keys), verbatim. A key whose value changes between the repetitions of one
//!   benchmark keeps all its values, in order, joined by ` | ` (`(unset)` where it was not set;
//!   the first 20 and how many there were in all).
//!   `nan.<unit>` says how many values of a unit were NaN or infinite (they cannot be samples).
//! - metrics: `ns/op` → `wall_time` (ns), `sec/op` → `wall_time` (×1e9), `B/op` →
//!   `alloc_bytes`, `allocs/op` → `allocs`, `MB/s` → `bytes_per_second` (×1e6, higher is better),
//!   `B/s` → `bytes_per_second`; any other unit (`b.ReportMetric`) is a custom measure and unit
//!   named by the unit verbatim, higher-is-better when its unit metadata says `better=higher` or
//!   (without metadata) when it ends in `/s`. `assume=exact` marks a metric exact.
//! - samples: each result line is one sample per unit, with `iterations` = its N; the lines of one
//!   benchmark in one package (`-count`) are more samples, in input order.
//! - status: failed with the message Go printed (without Go's indentation); skipped with the
//!   reason; a parent benchmark that failed only because a sub-benchmark did says so; a failure
//!   outranks a skip, and a status reported several times says how many.
//! - context: `goos` → os, `goarch` → arch in `uname -m` spelling (`amd64` → `x86_64`, `arm64` →
//!   `aarch64`, `386` → `i686`), `cpu` → cpu_model, each from its first occurrence.
//! - skipped benchmarks appear only in chatty output: plain `go test -bench` prints nothing for
//!   them. `b.Log` output (`--- BENCH:` blocks) is log text, not data, and is not kept.

use std::collections::{BTreeMap, HashMap, HashSet};

use benchgate_model::{Benchmark, Direction, Measure, Metric, Status, Unit};

use crate::{Context, ParseError, Parsed};

/// Whether `head` looks like Go benchmark text: a result line, or a `--- FAIL/SKIP: Benchmark`
/// line, or a `goos:`/`pkg:` line together with a `Benchmark` line.
pub fn sniff(head: &[u8]) -> bool {
    let mut config = false;
    let mut bench_name = false;
    for line in head.split(|&b| b == b'\n') {
        let line = trim_cr(line);
        if line.starts_with(b"Benchmark") {
            if is_result_line(line) {
                return true;
            }
            bench_name = true;
        } else if line.starts_with(b"goos: ")
            || line.starts_with(b"goarch: ")
            || line.starts_with(b"pkg: ")
        {
            config = true;
        } else {
            let t = trim_start(line);
            if t.starts_with(b"--- FAIL: Benchmark") || t.starts_with(b"--- SKIP: Benchmark") {
                return true;
            }
        }
        if config && bench_name {
            return true;
        }
    }
    false
}

/// Parses a whole input of Go benchmark text.
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let mut reader = Reader::new();
    reader
        .feed(0, bytes, None)
        .map_err(|e| ParseError::line(e.pos.line, e.message))?;
    if reader.is_empty() {
        return Err(ParseError::input(format!(
            "no benchmark results found; expected {}",
            crate::Format::Go.expected()
        )));
    }
    reader
        .finish()
        .map_err(|e| ParseError::line(e.pos.line, e.message))
}

/// Where something was read: which chunk of the input (one per package for `go test -json`), the
/// 1-based line in it and the byte offset of that line's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub chunk: usize,
    pub line: usize,
    pub offset: usize,
}

/// A problem at a line of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextError {
    pub pos: Pos,
    pub message: String,
}

impl TextError {
    fn new(pos: Pos, message: impl Into<String>) -> TextError {
        TextError {
            pos,
            message: message.into(),
        }
    }
}

/// What a unit measures, as the key that finds a benchmark's metric (`ns/op` and `sec/op` are one
/// metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Wall,
    AllocBytes,
    Allocs,
    BytesPerSecond,
    Custom(&'a str),
}

/// The metric key of a Go unit and the factor that converts its values to the canonical unit;
/// `None` for a unit that is not UTF-8.
fn classify(unit: &[u8]) -> Option<(Key<'_>, &str, f64)> {
    Some(match unit {
        b"ns/op" => (Key::Wall, "ns/op", 1.0),
        b"sec/op" => (Key::Wall, "sec/op", 1e9),
        b"B/op" => (Key::AllocBytes, "B/op", 1.0),
        b"allocs/op" => (Key::Allocs, "allocs/op", 1.0),
        b"MB/s" => (Key::BytesPerSecond, "MB/s", 1e6),
        b"B/s" => (Key::BytesPerSecond, "B/s", 1.0),
        other => {
            let u = std::str::from_utf8(other).ok()?;
            (Key::Custom(u), u, 1.0)
        }
    })
}

/// Samples of one unit of one benchmark, already in the canonical unit.
#[derive(Debug)]
struct RawMetric<'a> {
    key: Key<'a>,
    /// The Go unit as first written (for labels and custom measures).
    unit: &'a str,
    samples: Vec<f64>,
    iterations: Vec<u64>,
    non_finite: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusKind {
    Failed,
    Skipped,
}

#[derive(Debug)]
struct StatusRec {
    kind: StatusKind,
    /// `None`: Go printed no message (filled in by [`Reader::finish`]).
    message: Option<String>,
    times: usize,
}

/// One benchmark of one package.
#[derive(Debug)]
struct Entry<'a> {
    name: &'a str,
    pkg: Option<&'a str>,
    /// The configurations its results were read under, distinct, in order of first use.
    snapshots: Vec<u32>,
    metrics: Vec<RawMetric<'a>>,
    status: Option<StatusRec>,
    first: Pos,
}

/// A configuration (all `key: value` pairs in effect), sorted by key.
#[derive(Debug)]
struct Snapshot<'a> {
    pairs: Vec<(&'a str, &'a str)>,
    pkg: u32,
}

/// Unit metadata of one unit: each value and the line that set it.
#[derive(Debug, Default)]
struct UnitMeta<'a> {
    better: Option<(Direction, &'a str)>,
    exact: Option<(bool, &'a str)>,
}

/// A `--- FAIL:`/`--- SKIP:` line whose message lines may still follow.
#[derive(Debug)]
struct PendingStatus<'a> {
    /// `None` for a test (not a benchmark): its lines are only claimed.
    target: Option<(StatusKind, &'a str)>,
    pos: Pos,
    /// The unclaimed indented lines right before it (chatty output), as a byte range.
    before: Option<(usize, usize)>,
}

/// A benchmark name line whose numbers have not come yet.
#[derive(Debug)]
struct PendingResult<'a> {
    name: &'a str,
    /// What the benchmark printed after its name.
    rest: &'a str,
    pos: Pos,
    snapshot: u32,
}

/// Reads Go benchmark text, chunk by chunk, into benchmarks. Shared with [`crate::go_json`],
/// which feeds it one chunk per package.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    entries: Vec<Entry<'a>>,
    index: HashMap<(u32, &'a str), usize>,
    config: Vec<(&'a str, &'a str)>,
    config_dirty: bool,
    snapshot: u32,
    snapshots: Vec<Snapshot<'a>>,
    snapshot_ids: HashMap<Vec<(&'a str, &'a str)>, u32>,
    /// Package names; id 0 is "no package".
    pkgs: Vec<&'a str>,
    pkg_ids: HashMap<&'a str, u32>,
    units: HashMap<Key<'a>, UnitMeta<'a>>,
    context: Context,
    scratch: Vec<(Key<'a>, &'a str, f64, f64)>,
    /// (entry, snapshot) pairs seen, so that each entry lists a configuration once.
    entry_snapshots: HashSet<(usize, u32)>,
    /// The package of each chunk fed with one (`go test -json`), for messages.
    chunk_pkgs: HashMap<usize, &'a str>,
    /// How many `Benchmark` lines had a name but never a result, and the first of them.
    unfinished: (usize, Option<(Pos, &'a str)>),
}

impl<'a> Reader<'a> {
    pub fn new() -> Reader<'a> {
        let mut reader = Reader {
            entries: Vec::new(),
            index: HashMap::new(),
            config: Vec::new(),
            config_dirty: false,
            snapshot: 0,
            snapshots: Vec::new(),
            snapshot_ids: HashMap::new(),
            pkgs: vec![""],
            pkg_ids: HashMap::new(),
            units: HashMap::new(),
            context: Context::default(),
            scratch: Vec::new(),
            entry_snapshots: HashSet::new(),
            chunk_pkgs: HashMap::new(),
            unfinished: (0, None),
        };
        reader.snapshots.push(Snapshot {
            pairs: Vec::new(),
            pkg: 0,
        });
        reader.snapshot_ids.insert(Vec::new(), 0);
        reader
    }

    /// Whether nothing (no result, no status) was read.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads one chunk of text. With `pkg`, the configuration starts afresh holding only
    /// `pkg: <pkg>` (nothing for ""; one package of `go test -json`); without, it goes on from
    /// the last chunk.
    pub fn feed(
        &mut self,
        chunk: usize,
        text: &'a [u8],
        pkg: Option<&'a str>,
    ) -> Result<(), TextError> {
        if let Some(pkg) = pkg {
            self.chunk_pkgs.insert(chunk, pkg);
            self.config.clear();
            if !pkg.is_empty() {
                self.config.push(("pkg", pkg));
            }
            self.config_dirty = true;
        }
        let mut state = ChunkState::default();
        let mut offset = 0usize;
        let mut line_no = 0usize;
        while offset < text.len() {
            let end = memchr::memchr(b'\n', &text[offset..]).map_or(text.len(), |i| offset + i);
            line_no += 1;
            let pos = Pos {
                chunk,
                line: line_no,
                offset,
            };
            let line = trim_cr(&text[offset..end]);
            self.line(text, line, pos, &mut state)?;
            offset = end + 1;
        }
        self.end_block(text, &mut state, None);
        if let Some(p) = state.result.take() {
            return Err(TextError::new(
                p.pos,
                format!(
                    "the input ends before the result of Benchmark{}: expected a line with its \
                     iteration count and value/unit pairs (is the input truncated?)",
                    p.name
                ),
            ));
        }
        Ok(())
    }

    fn line(
        &mut self,
        text: &'a [u8],
        line: &'a [u8],
        pos: Pos,
        st: &mut ChunkState<'a>,
    ) -> Result<(), TextError> {
        let first = line.first().copied().unwrap_or(b'\n');
        // The common case first: a whole result line.
        if first == b'B' && line.starts_with(b"Benchmark") {
            self.end_block(text, st, None);
            return self.benchmark_line(line, pos, st);
        }
        if first == b' ' || first == b'\t' {
            let t = trim_start(line);
            if st.result.is_some()
                && t.first().is_some_and(u8::is_ascii_digit)
                && let Some(r) = self.continuation(t)
            {
                self.end_block(text, st, None);
                if let Some(p) = st.result.take() {
                    st.panic = None;
                    self.record(p.name, p.snapshot, p.pos, r)?;
                }
                return Ok(());
            }
            if !t.starts_with(b"--- ") {
                // Go indents message lines, blank ones included.
                if st.block.is_none() {
                    st.block = Some((pos.offset, pos.offset + line.len()));
                    st.block_claimed = st.status.is_some();
                } else if let Some(b) = st.block.as_mut() {
                    b.1 = pos.offset + line.len();
                }
                return Ok(());
            }
        }
        let before = self.end_block(text, st, Some(pos));
        let t = trim_start(line);
        if t.starts_with(b"--- ") {
            return self.marker_line(t, pos, before, st);
        }
        // An iteration count of 10^7 or more has no leading spaces.
        if first.is_ascii_digit()
            && st.result.is_some()
            && let Some(r) = self.continuation(line)
        {
            if let Some(p) = st.result.take() {
                st.panic = None;
                self.record(p.name, p.snapshot, p.pos, r)?;
            }
            return Ok(());
        }
        if first == b'U' && Fields::new(line).next() == Some(b"Unit") {
            return self.unit_line(line, pos);
        }
        if (first.is_ascii_lowercase() || first >= 0x80)
            && let Ok(s) = std::str::from_utf8(line)
        {
            if s.starts_with("panic: ") {
                st.panic = Some(s);
            }
            if let Some((key, value)) = config_line(s) {
                self.set_config(key, value);
                return Ok(());
            }
        }
        if line.starts_with(b"ok  \t") || line.starts_with(b"FAIL\t") || line.starts_with(b"?   \t")
        {
            self.package_end(line, st);
            return Ok(());
        }
        if line.starts_with(b"exit status ") {
            st.exit = std::str::from_utf8(line).ok();
        }
        Ok(())
    }

    /// A line starting with `Benchmark`.
    fn benchmark_line(
        &mut self,
        line: &'a [u8],
        pos: Pos,
        st: &mut ChunkState<'a>,
    ) -> Result<(), TextError> {
        let name_end = line.iter().position(|&b| is_space(b)).unwrap_or(line.len());
        let name = line.get(9..name_end).unwrap_or_default();
        if name.is_empty() {
            // `Benchmark` alone or followed by a space: printed text.
            return Ok(());
        }
        if let Some(p) = st.result.take() {
            self.unfinished.0 += 1;
            self.unfinished.1.get_or_insert((p.pos, p.name));
        }
        if name_end == line.len() {
            // Chatty output announces each benchmark on a line of its own.
            if let Ok(name) = std::str::from_utf8(name) {
                let snapshot = self.snapshot();
                st.announced = Some((name, pos, snapshot));
            }
            return Ok(());
        }
        let rest = &line[name_end..];
        let mut fields = Fields::new(rest);
        let Some(iters) = fields.next() else {
            // Only padding: the benchmark printed something that ended the line, or the input
            // ends here; the numbers come later.
            return self.pending(name, b"", pos, st);
        };
        if !iters.iter().all(u8::is_ascii_digit) {
            // Printed text after the name, unless the rest reads as value/unit pairs, in which
            // case the iteration count itself is broken.
            let mut check = fields.clone();
            if self.pairs(&mut check).is_ok_and(|n| n > 0) && check.next().is_none() {
                return Err(TextError::new(
                    pos,
                    format!(
                        "expected an iteration count after the benchmark name, found \"{}\"",
                        String::from_utf8_lossy(iters)
                    ),
                ));
            }
            let text_start = rest.len() - trim_start(rest).len();
            return self.pending(name, &rest[text_start..], pos, st);
        }
        let Ok(name) = std::str::from_utf8(name) else {
            return Err(TextError::new(
                pos,
                "the benchmark name is not UTF-8 text; expected `go test -bench` output",
            ));
        };
        let n = parse_count(iters).ok_or_else(|| {
            TextError::new(
                pos,
                format!(
                    "the iteration count {} is too large",
                    String::from_utf8_lossy(iters)
                ),
            )
        })?;
        self.scratch.clear();
        match self.pairs(&mut fields) {
            Ok(0) => Err(TextError::new(
                pos,
                format!(
                    "expected value/unit pairs after the iteration count {n} of Benchmark{name}, \
                     found the end of the line"
                ),
            )),
            Ok(_) => {
                st.announced = None;
                st.panic = None;
                let snapshot = self.snapshot();
                self.record(name, snapshot, pos, n)
            }
            Err(e) => Err(TextError::new(pos, format!("Benchmark{name}: {e}"))),
        }
    }

    fn pending(
        &mut self,
        name: &'a [u8],
        rest: &'a [u8],
        pos: Pos,
        st: &mut ChunkState<'a>,
    ) -> Result<(), TextError> {
        let (Ok(name), Ok(rest)) = (std::str::from_utf8(name), std::str::from_utf8(rest)) else {
            return Ok(());
        };
        let snapshot = self.snapshot();
        st.result = Some(PendingResult {
            name,
            rest: rest.trim_end(),
            pos,
            snapshot,
        });
        Ok(())
    }

    /// A line holding only `<iterations> <value> <unit>...`, the second half of a split result;
    /// `None` (not a continuation) unless all of it reads. The values are left in `scratch`.
    fn continuation(&mut self, t: &'a [u8]) -> Option<u64> {
        let mut fields = Fields::new(t);
        let iters = fields.next()?;
        if !iters.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = parse_count(iters)?;
        self.scratch.clear();
        match self.pairs(&mut fields) {
            Ok(k) if k > 0 => Some(n),
            _ => None,
        }
    }

    /// Reads value/unit pairs into `scratch`; the number of pairs, or what was wrong.
    fn pairs(&mut self, fields: &mut Fields<'a>) -> Result<usize, String> {
        let mut count = 0;
        while let Some(v) = fields.next() {
            let value = parse_value(v).ok_or_else(|| {
                format!(
                    "expected a number (a value before its unit), found \"{}\"",
                    String::from_utf8_lossy(v)
                )
            })?;
            let Some(u) = fields.next() else {
                return Err(format!(
                    "expected a unit after the value {}, found the end of the line",
                    String::from_utf8_lossy(v)
                ));
            };
            let (key, unit, factor) =
                classify(u).ok_or("a unit is not UTF-8 text; expected `go test -bench` output")?;
            self.scratch.push((key, unit, value, factor));
            count += 1;
        }
        Ok(count)
    }

    /// Adds the values in `scratch` as one result of `name` with `iters` iterations.
    fn record(
        &mut self,
        name: &'a str,
        snapshot: u32,
        pos: Pos,
        iters: u64,
    ) -> Result<(), TextError> {
        // One line must not give one metric twice (`ns/op` and `sec/op`, or a unit repeated).
        for (i, a) in self.scratch.iter().enumerate() {
            if let Some(b) = self.scratch[..i].iter().find(|b| b.0 == a.0) {
                return Err(TextError::new(
                    pos,
                    format!(
                        "Benchmark{name} reports {} and {} on one line: expected each unit once",
                        b.1, a.1
                    ),
                ));
            }
        }
        // Go computes the built-in units itself and never prints NaN, infinity or a negative
        // value for them; custom `ReportMetric` values are the benchmark's own.
        if let Some(&(_, unit, value, _)) = self.scratch.iter().find(|(key, _, value, _)| {
            !matches!(key, Key::Custom(_)) && (!value.is_finite() || *value < 0.0)
        }) {
            return Err(TextError::new(
                pos,
                format!(
                    "Benchmark{name}: {} {unit} is not a possible value (expected a finite \
                     number, not negative)",
                    shown_value(value)
                ),
            ));
        }
        let e = self.entry(name, snapshot, pos);
        let entry = &mut self.entries[e];
        for &(key, unit, value, factor) in &self.scratch {
            let m = match entry.metrics.iter().position(|m| m.key == key) {
                Some(m) => m,
                None => {
                    entry.metrics.push(RawMetric {
                        key,
                        unit,
                        samples: Vec::new(),
                        iterations: Vec::new(),
                        non_finite: 0,
                    });
                    entry.metrics.len() - 1
                }
            };
            let metric = &mut entry.metrics[m];
            let v = value * factor;
            if v.is_finite() {
                metric.samples.push(v);
                metric.iterations.push(iters);
            } else {
                metric.non_finite += 1;
            }
        }
        Ok(())
    }

    /// The entry of `name` in the package of `snapshot`, created if new; notes the snapshot.
    fn entry(&mut self, name: &'a str, snapshot: u32, pos: Pos) -> usize {
        let pkg = self.snapshots.get(snapshot as usize).map_or(0, |s| s.pkg);
        let i = match self.index.get(&(pkg, name)) {
            Some(&i) => i,
            None => {
                let i = self.entries.len();
                self.entries.push(Entry {
                    name,
                    pkg: (pkg != 0).then(|| self.pkgs.get(pkg as usize).copied().unwrap_or("")),
                    snapshots: Vec::new(),
                    metrics: Vec::new(),
                    status: None,
                    first: pos,
                });
                self.index.insert((pkg, name), i);
                i
            }
        };
        let entry = &mut self.entries[i];
        if entry.snapshots.last() != Some(&snapshot) && self.entry_snapshots.insert((i, snapshot)) {
            entry.snapshots.push(snapshot);
        }
        i
    }

    /// The id of the configuration in effect.
    fn snapshot(&mut self) -> u32 {
        if !self.config_dirty {
            return self.snapshot;
        }
        self.config_dirty = false;
        let mut pairs = self.config.clone();
        pairs.sort_unstable();
        if let Some(&id) = self.snapshot_ids.get(&pairs) {
            self.snapshot = id;
            return id;
        }
        let pkg = match pairs.iter().find(|(k, _)| *k == "pkg") {
            None => 0,
            Some(&(_, p)) => match self.pkg_ids.get(p) {
                Some(&id) => id,
                None => {
                    let id = self.pkgs.len() as u32;
                    self.pkgs.push(p);
                    self.pkg_ids.insert(p, id);
                    id
                }
            },
        };
        let id = self.snapshots.len() as u32;
        self.snapshot_ids.insert(pairs.clone(), id);
        self.snapshots.push(Snapshot { pairs, pkg });
        self.snapshot = id;
        id
    }

    fn set_config(&mut self, key: &'a str, value: &'a str) {
        self.config_dirty = true;
        let at = self.config.iter().position(|(k, _)| *k == key);
        if value.is_empty() {
            if let Some(i) = at {
                self.config.remove(i);
            }
            return;
        }
        match at {
            Some(i) => self.config[i].1 = value,
            None => self.config.push((key, value)),
        }
        let c = &mut self.context;
        match key {
            "goos" if c.os.is_none() => c.os = Some(value.to_string()),
            "goarch" if c.arch.is_none() => c.arch = Some(uname_arch(value).to_string()),
            "cpu" if c.cpu_model.is_none() => c.cpu_model = Some(value.to_string()),
            _ => {}
        }
    }

    /// `Unit <unit> key=value...`.
    fn unit_line(&mut self, line: &'a [u8], pos: Pos) -> Result<(), TextError> {
        let Ok(line) = std::str::from_utf8(line) else {
            return Err(TextError::new(
                pos,
                "the unit metadata line is not UTF-8 text",
            ));
        };
        let mut fields = line.split_ascii_whitespace().skip(1);
        let Some(unit) = fields.next() else {
            return Err(TextError::new(
                pos,
                "expected a unit after `Unit` (`Unit <unit> better=higher`), found the end of the line",
            ));
        };
        let key = classify(unit.as_bytes()).map_or(Key::Custom(unit), |c| c.0);
        for f in fields {
            let Some((k, v)) = f.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(TextError::new(
                    pos,
                    format!("expected key=value after the unit {unit}, found \"{f}\""),
                ));
            };
            let meta = self.units.entry(key).or_default();
            match k {
                "better" => {
                    let d = match v {
                        "higher" => Direction::HigherIsBetter,
                        "lower" => Direction::LowerIsBetter,
                        _ => {
                            return Err(TextError::new(
                                pos,
                                format!(
                                    "expected better=higher or better=lower for unit {unit}, \
                                     found better={v}"
                                ),
                            ));
                        }
                    };
                    match meta.better {
                        None => meta.better = Some((d, v)),
                        Some((_, was)) if was != v => {
                            return Err(TextError::new(
                                pos,
                                format!("unit {unit} was better={was} before, now better={v}"),
                            ));
                        }
                        Some(_) => {}
                    }
                }
                "assume" => {
                    let exact = match v {
                        "exact" => true,
                        "nothing" => false,
                        _ => {
                            return Err(TextError::new(
                                pos,
                                format!(
                                    "expected assume=exact or assume=nothing for unit {unit}, \
                                     found assume={v}"
                                ),
                            ));
                        }
                    };
                    match meta.exact {
                        None => meta.exact = Some((exact, v)),
                        Some((_, was)) if was != v => {
                            return Err(TextError::new(
                                pos,
                                format!("unit {unit} was assume={was} before, now assume={v}"),
                            ));
                        }
                        Some(_) => {}
                    }
                }
                _ => {
                    let tag = format!("go.unit.{unit}.{k}");
                    match self.context.tags.get(&tag) {
                        Some(was) if was != v => {
                            return Err(TextError::new(
                                pos,
                                format!("unit {unit} was {k}={was} before, now {k}={v}"),
                            ));
                        }
                        Some(_) => {}
                        None => {
                            self.context.tags.insert(tag, v.to_string());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// A `--- ...` line (any indentation): a status for `FAIL`/`SKIP` of a benchmark; any
    /// other (`--- BENCH:`, a test's `--- FAIL:`) only claims the indented lines after it.
    fn marker_line(
        &mut self,
        t: &'a [u8],
        pos: Pos,
        before: Option<(usize, usize)>,
        st: &mut ChunkState<'a>,
    ) -> Result<(), TextError> {
        let kind = if t.starts_with(b"--- FAIL: ") {
            Some(StatusKind::Failed)
        } else if t.starts_with(b"--- SKIP: ") {
            Some(StatusKind::Skipped)
        } else {
            None
        };
        let target = kind.and_then(|kind| {
            let mut fields = Fields::new(t.get(10..)?);
            let name = fields.next()?.strip_prefix(b"Benchmark")?;
            let name = std::str::from_utf8(name).ok().filter(|n| !n.is_empty())?;
            Some((kind, name))
        });
        if let Some((_, name)) = target {
            if st.result.as_ref().is_some_and(|p| p.name == name) {
                st.result = None;
            }
            st.announced = None;
        }
        st.status = Some(PendingStatus {
            target,
            pos,
            before,
        });
        Ok(())
    }

    /// Ends the run of indented lines before the current line, and with it a pending status
    /// (which takes them as its message when they followed it). `at` is the line that ends them,
    /// when that line is a `---` line: the run is returned, unclaimed, for it to take.
    fn end_block(
        &mut self,
        text: &'a [u8],
        st: &mut ChunkState<'a>,
        at: Option<Pos>,
    ) -> Option<(usize, usize)> {
        let block = st.block.take();
        let claimed = std::mem::take(&mut st.block_claimed);
        let status = st.status.take();
        if let Some(s) = status {
            let message = match (block, claimed) {
                (Some(b), true) => Some(b),
                _ => s.before,
            };
            if let Some((kind, name)) = s.target {
                let msg = message.and_then(|(a, b)| text.get(a..b)).map(dedent);
                let snapshot = self.snapshot();
                self.set_status(name, kind, msg, s.pos, snapshot);
            }
            if claimed {
                return None;
            }
        }
        at.and(block)
    }

    fn set_status(
        &mut self,
        name: &'a str,
        kind: StatusKind,
        message: Option<String>,
        pos: Pos,
        snapshot: u32,
    ) {
        let e = self.entry(name, snapshot, pos);
        let entry = &mut self.entries[e];
        match &mut entry.status {
            Some(s) if s.kind == kind => s.times += 1,
            // A failure outranks a skip.
            Some(s) if s.kind == StatusKind::Failed => {}
            status => {
                *status = Some(StatusRec {
                    kind,
                    message,
                    times: 1,
                })
            }
        }
    }

    /// For `go test -json`: the status an `Action` event gives `name` (with its `Benchmark`
    /// prefix stripped) of package `pkg`, unless the output already gave it one.
    pub fn event_status(&mut self, pkg: &'a str, name: &'a str, failed: bool, pos: Pos) {
        let kind = if failed {
            StatusKind::Failed
        } else {
            StatusKind::Skipped
        };
        let pkg_id = self.pkg_ids.get(pkg).copied();
        if let Some(&e) = pkg_id.and_then(|p| self.index.get(&(p, name)))
            && self.entries[e].status.is_some()
        {
            return;
        }
        self.config.clear();
        self.config.push(("pkg", pkg));
        self.config_dirty = true;
        let action = if failed { "fail" } else { "skip" };
        let snapshot = self.snapshot();
        self.set_status(
            name,
            kind,
            Some(format!("go test -json reported Action \"{action}\" for it")),
            pos,
            snapshot,
        );
    }

    /// `ok  \tpkg\t0.1s`, `FAIL\tpkg\t0.1s`, `?   \tpkg\t[no test files]`: kept as a tag. A
    /// benchmark whose result never came (its name was printed, then the test binary died)
    /// failed with the package.
    fn package_end(&mut self, line: &'a [u8], st: &mut ChunkState<'a>) {
        let Ok(line) = std::str::from_utf8(line) else {
            return;
        };
        let mut parts = line.split('\t');
        let pkg = parts.nth(1).unwrap_or("");
        let pkg = pkg.split(' ').next().unwrap_or(pkg);
        self.context
            .tags
            .insert(format!("go.package.{pkg}"), line.to_string());
        let exit = st.exit.take().map(|e| format!("{e}, ")).unwrap_or_default();
        let ended = format!("its package ended with: {exit}{}", line.replace('\t', " "));
        let announced = st.announced.take();
        let panic = st.panic.take();
        if let Some(p) = st.result.take() {
            let printed = if p.rest.is_empty() {
                String::new()
            } else {
                format!(" (after its name it printed \"{}\")", p.rest)
            };
            let message = format!("printed no result{printed}; {ended}");
            self.set_status(p.name, StatusKind::Failed, Some(message), p.pos, p.snapshot);
        } else if let Some((name, pos, snapshot)) = announced.filter(|_| line.starts_with("FAIL")) {
            // Chatty output names a benchmark before it runs and prints the name again with
            // its result: the last one named, with neither result nor status, is the one that
            // was running.
            let printed = panic.map(|p| format!(" (\"{p}\")")).unwrap_or_default();
            let message = format!("started but printed no result{printed}; {ended}");
            self.set_status(name, StatusKind::Failed, Some(message), pos, snapshot);
        }
    }

    /// The benchmarks read, in first-seen order, and the run context.
    pub fn finish(self) -> Result<Parsed, TextError> {
        let Reader {
            entries,
            snapshots,
            units,
            mut context,
            unfinished,
            chunk_pkgs,
            ..
        } = self;
        let names = final_names(&entries)?;
        let mut failed: Vec<&str> = entries
            .iter()
            .zip(&names)
            .filter(|(e, _)| {
                e.status
                    .as_ref()
                    .is_some_and(|s| s.kind == StatusKind::Failed)
            })
            .map(|(_, n)| n.as_str())
            .collect();
        // Sorted, to find a failed sub-benchmark of a name by binary search.
        failed.sort_unstable();
        let mut benchmarks = Vec::with_capacity(entries.len());
        for (entry, name) in entries.into_iter().zip(names.iter()) {
            benchmarks.push(build(entry, name, &snapshots, &units, &failed));
        }
        if let (count, Some((pos, name))) = unfinished {
            let place = match chunk_pkgs.get(&pos.chunk) {
                Some(pkg) => format!("line {} of the output of package {pkg}", pos.line),
                None => format!("line {}", pos.line),
            };
            context.tags.insert(
                "go.unfinished".into(),
                format!(
                    "{count} Benchmark line(s) with a name but no result, the first \
                     Benchmark{name} at {place}"
                ),
            );
        }
        Ok(Parsed {
            benchmarks,
            context,
        })
    }
}

/// Per-chunk state of [`Reader::feed`].
#[derive(Debug, Default)]
struct ChunkState<'a> {
    /// The current run of indented lines, as a byte range of the chunk.
    block: Option<(usize, usize)>,
    /// Whether that run follows a `---` line (and is its message).
    block_claimed: bool,
    status: Option<PendingStatus<'a>>,
    result: Option<PendingResult<'a>>,
    /// The last `exit status N` line.
    exit: Option<&'a str>,
    /// The benchmark chatty output named last (`BenchmarkX` alone on a line), until a result or
    /// a status comes: name, where, configuration.
    announced: Option<(&'a str, Pos, u32)>,
    /// The last `panic: ...` line since a result.
    panic: Option<&'a str>,
}

/// Names of the entries: the Go name, or `{pkg}.{name}` when the name is in several packages.
fn final_names(entries: &[Entry<'_>]) -> Result<Vec<String>, TextError> {
    let mut pkgs_of: HashMap<&str, usize> = HashMap::new();
    for e in entries {
        *pkgs_of.entry(e.name).or_default() += 1;
    }
    let mut names = Vec::with_capacity(entries.len());
    let mut seen: HashSet<String> = HashSet::with_capacity(entries.len());
    for e in entries {
        let name = match e.pkg {
            Some(pkg) if pkgs_of.get(e.name).copied().unwrap_or(0) > 1 => {
                format!("{pkg}.{}", e.name)
            }
            _ => e.name.to_string(),
        };
        if !seen.insert(name.clone()) {
            return Err(TextError::new(
                e.first,
                format!(
                    "{name} names two benchmarks once names found in several packages are \
                     qualified by package (this one is Benchmark{} of {}); expected distinct names",
                    e.name,
                    e.pkg
                        .map_or("no package".to_string(), |p| format!("package {p}"))
                ),
            ));
        }
        names.push(name);
    }
    Ok(names)
}

fn build(
    entry: Entry<'_>,
    name: &str,
    snapshots: &[Snapshot<'_>],
    units: &HashMap<Key<'_>, UnitMeta<'_>>,
    failed: &[&str],
) -> Benchmark {
    let mut labels = labels(&entry.snapshots, snapshots);
    let mut metrics = Vec::with_capacity(entry.metrics.len());
    for m in entry.metrics {
        if m.non_finite > 0 {
            labels.insert(
                format!("nan.{}", m.unit),
                format!(
                    "{} of {} values were not finite (NaN or ±Inf)",
                    m.non_finite,
                    m.non_finite + m.samples.len()
                ),
            );
        }
        let meta = units.get(&m.key);
        let (measure, unit, default_direction) = match m.key {
            Key::Wall => (
                Measure::WallTime,
                Unit::Nanoseconds,
                Direction::LowerIsBetter,
            ),
            Key::AllocBytes => (Measure::AllocBytes, Unit::Bytes, Direction::LowerIsBetter),
            Key::Allocs => (Measure::Allocs, Unit::Count, Direction::LowerIsBetter),
            Key::BytesPerSecond => (
                Measure::BytesPerSecond,
                Unit::BytesPerSecond,
                Direction::HigherIsBetter,
            ),
            Key::Custom(u) => (
                custom_measure(u),
                Unit::Custom(u.to_string()),
                if u.ends_with("/s") {
                    Direction::HigherIsBetter
                } else {
                    Direction::LowerIsBetter
                },
            ),
        };
        let direction = meta
            .and_then(|m| m.better)
            .map_or(default_direction, |(d, _)| d);
        let exact = meta.and_then(|m| m.exact).is_some_and(|(e, _)| e);
        if let Some(mut metric) = Metric::from_samples(measure, unit, direction, m.samples) {
            metric.exact = exact;
            metric.iterations = Some(m.iterations);
            metrics.push(metric);
        }
    }
    let status = match entry.status {
        Some(s) => {
            let mut message = s.message.unwrap_or_default();
            if message.is_empty() {
                let prefix = format!("{name}/");
                let at = failed.partition_point(|f| *f < prefix.as_str());
                message = match failed.get(at).filter(|f| f.starts_with(&prefix)) {
                    Some(sub) if s.kind == StatusKind::Failed => {
                        format!("a sub-benchmark failed: {sub}")
                    }
                    _ if s.kind == StatusKind::Failed => {
                        "go test reported FAIL without a message".to_string()
                    }
                    _ => "go test reported SKIP without a reason".to_string(),
                };
            }
            if s.times > 1 {
                message.push_str(&format!(" (reported {} times)", s.times));
            }
            match s.kind {
                StatusKind::Failed => Status::Failed { message },
                StatusKind::Skipped => Status::Skipped { reason: message },
            }
        }
        None if metrics.is_empty() => Status::Failed {
            message: "every value it reported was NaN or infinite".to_string(),
        },
        None => Status::Ok,
    };
    Benchmark {
        mode: None,
        name: name.to_string(),
        params: params(entry.name),
        labels,
        command: None,
        status,
        metrics,
        series: Vec::new(),
    }
}

/// A custom measure named by the unit; a unit spelled like a built-in measure (`allocs`) is
/// kept apart from it.
fn custom_measure(unit: &str) -> Measure {
    match Measure::parse(unit) {
        m @ Measure::Custom(_) => m,
        _ => Measure::Custom(format!("go:{unit}")),
    }
}

/// The configuration of the first snapshot; a key whose value differs between snapshots holds
/// every value, in order.
fn labels(ids: &[u32], snapshots: &[Snapshot<'_>]) -> BTreeMap<String, String> {
    let pairs_of = |id: &u32| {
        snapshots
            .get(*id as usize)
            .map_or(&[][..], |s| &s.pairs[..])
    };
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let Some(first) = ids.first() else {
        return labels;
    };
    for (k, v) in pairs_of(first) {
        labels.insert(k.to_string(), v.to_string());
    }
    if ids.len() == 1 {
        return labels;
    }
    let mut keys: Vec<&str> = ids
        .iter()
        .flat_map(|id| pairs_of(id).iter().map(|(k, _)| *k))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let mut values: Vec<&str> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for id in ids {
            let v = pairs_of(id)
                .iter()
                .find(|(k, _)| *k == key)
                .map_or("(unset)", |(_, v)| v);
            if seen.insert(v) {
                values.push(v);
            }
        }
        if values.len() > 1 {
            // A value printed anew for every repetition (a counter, a time) would make a label
            // as long as the input.
            let mut label = values
                .iter()
                .take(MAX_LABEL_VALUES)
                .copied()
                .collect::<Vec<_>>()
                .join(" | ");
            if values.len() > MAX_LABEL_VALUES {
                label.push_str(&format!(" | … ({} distinct values in all)", values.len()));
            }
            labels.insert(key.to_string(), label);
        }
    }
    labels
}

/// How many of the values a configuration key took for one benchmark its label lists.
const MAX_LABEL_VALUES: usize = 20;

/// `key=value` parts of the name and the GOMAXPROCS suffix.
fn params(name: &str) -> BTreeMap<String, String> {
    let (base, procs) = split_procs(name);
    let mut params = BTreeMap::new();
    for part in base.split('/').skip(1) {
        if let Some((k, v)) = part.split_once('=').filter(|(k, _)| !k.is_empty()) {
            params.entry(k.to_string()).or_insert_with(|| v.to_string());
        }
    }
    if let Some(p) = procs {
        let key = if params.contains_key("procs") {
            "gomaxprocs"
        } else {
            "procs"
        };
        params.insert(key.to_string(), p.to_string());
    }
    params
}

/// `Encode/size=1k-8` → (`Encode/size=1k`, Some("8")), as benchfmt splits GOMAXPROCS off.
pub(crate) fn split_procs(name: &str) -> (&str, Option<&str>) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return (name, None);
    }
    let cut = name.len() - digits;
    match name[..cut].strip_suffix('-') {
        Some(base) => (base, Some(&name[cut..])),
        None => (name, None),
    }
}

/// Go's GOARCH in `uname -m` spelling.
pub(crate) fn uname_arch(goarch: &str) -> &str {
    match goarch {
        "amd64" => "x86_64",
        "arm64" => "aarch64",
        "386" => "i686",
        other => other,
    }
}

/// `key: value` as benchfmt reads it: the key starts with a lower-case letter and holds no
/// space or upper-case letter; one or more spaces or tabs follow the colon unless the value is
/// empty.
fn config_line(line: &str) -> Option<(&str, &str)> {
    let mut colon = None;
    for (i, c) in line.char_indices() {
        if i == 0 && !c.is_lowercase() {
            return None;
        }
        if c.is_whitespace() || c.is_uppercase() {
            return None;
        }
        if i > 0 && c == ':' {
            colon = Some(i);
            break;
        }
    }
    let i = colon?;
    let (key, value) = (&line[..i], &line[i + 1..]);
    if value.is_empty() {
        return Some((key, ""));
    }
    let trimmed = value.trim_start_matches([' ', '\t']);
    (trimmed.len() < value.len()).then_some((key, trimmed))
}

/// Lines of a message block without Go's indentation (4 spaces or a tab per level).
fn dedent(block: &[u8]) -> String {
    let text = String::from_utf8_lossy(block);
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = line
            .strip_prefix("    ")
            .or_else(|| line.strip_prefix('\t'))
            .unwrap_or(line);
        out.push_str(line);
    }
    out.truncate(out.trim_end().len());
    out
}

/// Whether `line` (starting with `Benchmark`) is a whole result line.
fn is_result_line(line: &[u8]) -> bool {
    let mut fields = Fields::new(line);
    let (Some(name), Some(iters)) = (fields.next(), fields.next()) else {
        return false;
    };
    if name.len() <= 9 || iters.is_empty() || !iters.iter().all(u8::is_ascii_digit) {
        return false;
    }
    match (fields.next(), fields.next()) {
        (Some(v), Some(_)) => parse_value(v).is_some(),
        _ => false,
    }
}

fn parse_count(digits: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for &d in digits {
        n = n
            .checked_mul(10)?
            .checked_add(u64::from(d.wrapping_sub(b'0')))?;
    }
    Some(n)
}

/// A value. Go prints `1234`, `4.300`, `506.76`: up to 15 significant digits are read directly
/// (the digits as an integer below 2^53, divided by an exact power of ten: one correctly rounded
/// division, so the result is exactly what the float parser gives); anything else goes to it.
fn parse_value(field: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut fraction: Option<usize> = None;
    for &b in field {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                if digits > 15 {
                    return slow_value(field);
                }
                if let Some(f) = fraction.as_mut() {
                    *f += 1;
                }
            }
            b'.' if fraction.is_none() => fraction = Some(0),
            _ => return slow_value(field),
        }
    }
    if digits == 0 {
        return slow_value(field);
    }
    let scale = POW10.get(fraction.unwrap_or(0)).copied()?;
    Some(mantissa as f64 / scale)
}

/// A value as Go would print it (`NaN`, `+Inf`, `-5`).
fn shown_value(value: f64) -> String {
    match value {
        v if v.is_nan() => "NaN".to_string(),
        f64::INFINITY => "+Inf".to_string(),
        f64::NEG_INFINITY => "-Inf".to_string(),
        v => v.to_string(),
    }
}

fn slow_value(field: &[u8]) -> Option<f64> {
    std::str::from_utf8(field).ok()?.parse::<f64>().ok()
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c')
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| is_space(b)).count();
    &s[n..]
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whitespace-separated fields of a line.
#[derive(Debug, Clone)]
struct Fields<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Fields<'a> {
    fn new(s: &'a [u8]) -> Fields<'a> {
        Fields { s, i: 0 }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let s = self.s;
        let mut i = self.i;
        while i < s.len() && is_space(s[i]) {
            i += 1;
        }
        if i >= s.len() {
            self.i = i;
            return None;
        }
        let start = i;
        while i < s.len() && !is_space(s[i]) {
            i += 1;
        }
        self.i = i;
        Some(&s[start..i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procs_suffix_is_split_like_benchfmt() {
        assert_eq!(split_procs("Encode/a=1-8"), ("Encode/a=1", Some("8")));
        assert_eq!(split_procs("Encode"), ("Encode", None));
        assert_eq!(split_procs("Encode-"), ("Encode-", None));
        assert_eq!(split_procs("Enc8"), ("Enc8", None));
        assert_eq!(split_procs("-16"), ("", Some("16")));
    }

    #[test]
    fn config_lines_follow_benchfmt() {
        assert_eq!(config_line("goos: linux"), Some(("goos", "linux")));
        assert_eq!(
            config_line("cpu: AMD EPYC 7B13"),
            Some(("cpu", "AMD EPYC 7B13"))
        );
        assert_eq!(config_line("note:"), Some(("note", "")));
        assert_eq!(config_line("note:x"), None);
        assert_eq!(config_line("Goos: linux"), None);
        assert_eq!(config_line("my key: v"), None);
        assert_eq!(config_line("exit status 1"), None);
        assert_eq!(config_line(":x"), None);
    }

    #[test]
    fn values_parse_fast_and_slow() {
        assert_eq!(parse_value(b"1234"), Some(1234.0));
        assert_eq!(parse_value(b"4.300"), Some(4.3));
        assert_eq!(parse_value(b"1e3"), Some(1000.0));
        assert_eq!(parse_value(b"ns/op"), None);
        assert_eq!(parse_value(b"99999999999999999999"), Some(1e20));
        assert_eq!(parse_count(b"99999999999999999999"), None);
    }
}
