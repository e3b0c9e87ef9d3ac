//! libtest `#[bench]` output: what `cargo bench` prints for the built-in (unstable) benchmark
//! harness, with or without cargo's own lines (`cargo bench 2>&1` adds them).
//!
//! ```text
//!      Running benches/a.rs (target/release/deps/a-c4c295bf774701c0)      <- cargo, on stderr
//! running 3 tests
//! test tests::bench_parse   ... bench:           9.35 ns/iter (+/- 1.73)
//! test tests::bench_sum_4k  ... bench:         642.37 ns/iter (+/- 10.39) = 6380 MB/s
//! test tests::bench_ignored ... ignored, needs a quiet machine
//! test tests::bench_panics  ... FAILED
//! failures:
//! ---- tests::bench_panics stdout ----
//! …captured output and panic message…
//! test result: FAILED. 0 passed; 1 failed; 1 ignored; 2 measured; 0 filtered out; finished in 1.92s
//! ```
//!
//! Older toolchains print integers (`1,234 ns/iter (+/- 56)`); both are read.
//!
//! How it maps onto the model:
//! - **name**: the test name as printed, module path kept (`tests::bench_parse`).
//! - **wall_time**: each `bench:` line is one sample, the ns/iter figure (libtest's median of its
//!   own inner samples), unrounded, without iterations (libtest does not print them).
//! - **bytes_per_second**: ` = N MB/s` (set by `b.bytes`), N × 1e6 B/s, higher is better.
//! - label **deviation_ns**: the `(+/- N)` figure verbatim (libtest's max − min of its inner
//!   samples); with several runs of one benchmark, every run's figure, joined by `; `.
//! - **status**: `ignored` → skipped, with the text as printed as the reason (`ignored, needs a
//!   quiet machine`); `FAILED` → failed, with the benchmark's `---- name stdout ----` section as
//!   the message. `ok` lines are passing tests, not benchmarks, and are skipped over.
//! - **tests**: in bench mode libtest lists every plain `#[test]` as `ignored` too. It pads
//!   benchmark names to the longest one and never pads test names, so an `ignored` line whose
//!   name field is neither padded nor as wide as the section's benchmark names is a test: it is
//!   not a benchmark, and context tag `tests_not_run` lists it.
//! - labels **target**/**binary**: which bench target printed the result, from cargo's `Running
//!   benches/a.rs (target/release/deps/a-…)` line, when the input has it.
//! - **Context** tags: `test_result` (every `test result:` line, prefixed by its target),
//!   `incomplete` (a target whose process died before reporting every benchmark it announced)
//!   and `tests_not_run`.
//!
//! **Repetitions and duplicate names.** The same name reported again by the *same target binary*
//! (cargo's `Running` line) is a repeated run: its results become more samples of one benchmark.
//! The same name in *different targets* (benches/a.rs and benches/b.rs both having
//! `bench_shared`) are different benchmarks: each is qualified by its target (`a::bench_shared`,
//! `b::bench_shared`; numbered as below if two targets share a binary name). Without `Running` lines nothing tells a second target from a second run, so
//! a name reported again after a new `running N tests` line is kept apart, in input order:
//! `bench_shared`, `bench_shared #2`, … — never pooled by guesswork. To pool repeated runs,
//! capture cargo's stderr too (`2>&1`) or give each run its own file.
//!
//! Errors: a `test … ...` line whose result cannot be read, a file that ends in the middle of a
//! result line, or a last target that announced more results than the input holds (truncated).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use benchgate_model::{Direction, Measure, Status, Unit};

use crate::collect::{BenchBuilder, worse_status};
use crate::{Context, Format, ParseError, Parsed};

/// Whether `head` has a libtest bench line: `test NAME ... bench:`.
pub fn sniff(head: &[u8]) -> bool {
    memchr::memmem::find_iter(head, b" ... bench:").any(|at| {
        let before = head.get(..at).unwrap_or_default();
        let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        head.get(start..)
            .is_some_and(|line| line.starts_with(b"test "))
    })
}

/// Parses `cargo bench` output (libtest's bench lines, with or without cargo's).
pub fn parse(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let mut reader = Reader::default();
    let ends_with_newline = bytes.ends_with(b"\n");
    let mut start = 0;
    let mut number = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', bytes.get(start..).unwrap_or_default())
            .map_or(bytes.len(), |i| start + i);
        let raw = bytes.get(start..end).unwrap_or_default();
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        number += 1;
        let is_last = end >= bytes.len();
        let line = decode(raw);
        reader.line(number, &line, is_last && !ends_with_newline)?;
        start = end + 1;
    }
    reader.finish(number)
}

/// A line as text: invalid UTF-8 replaced, terminal colour codes (`CARGO_TERM_COLOR=always`,
/// `--color always`) removed.
fn decode(raw: &[u8]) -> Cow<'_, str> {
    let text = String::from_utf8_lossy(raw);
    if !text.contains('\u{1b}') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            // A CSI sequence ends with a byte in @..~.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A bench target as cargo names it in its `Running` line.
struct Target {
    /// `benches/a.rs`, `unittests src/lib.rs`, or the binary when cargo says nothing else.
    description: String,
    /// `target/release/deps/a-c4c295bf774701c0`: the identity of the target.
    binary: String,
    /// `a`: the binary's name without cargo's hash, used to qualify colliding names.
    stem: String,
}

/// What identifies one benchmark apart from its name: the target binary when cargo said, else
/// the `running N tests` section it was reported in.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Target(usize),
    Section(usize),
}

struct Group {
    key: Key,
    name: String,
    /// Captured failure output (`---- name stdout ----`), one entry per failed run.
    failures: Vec<String>,
}

enum Outcome {
    Bench {
        ns: f64,
        deviation: String,
        mb_s: Option<f64>,
    },
    Skipped(String),
    Failed(String),
}

struct Record {
    group: usize,
    outcome: Outcome,
    /// The `running N tests` section (0: before any) and the width of the name field.
    section: usize,
    width: usize,
    /// Whether the name was padded: libtest pads benchmark names, never test names.
    padded: bool,
}

/// The `running N tests` block being read.
struct Section {
    line: usize,
    announced: usize,
    reported: usize,
    /// Whether its `test result:` line was seen.
    finished: bool,
    /// cargo's `process didn't exit successfully` line after it, if any.
    died: Option<String>,
    target: Option<usize>,
}

#[derive(Default)]
enum Mode {
    #[default]
    Results,
    /// Inside `---- name stdout ----`: every line is captured output until the next header.
    Failure {
        group: Option<usize>,
        text: Vec<String>,
    },
}

#[derive(Default)]
struct Reader {
    targets: Vec<Target>,
    target_index: HashMap<String, usize>,
    current_target: Option<usize>,
    sections: usize,
    section: Option<Section>,
    groups: Vec<Group>,
    group_index: HashMap<Key, HashMap<String, usize>>,
    records: Vec<Record>,
    mode: Mode,
    benches: usize,
    passed_tests: usize,
    test_results: Vec<String>,
    incomplete: Vec<String>,
    /// Per section: the width libtest padded benchmark names to (the longest benchmark name).
    widths: HashMap<usize, usize>,
    /// Per section: where it is, for messages (`benches/a.rs`).
    places: HashMap<usize, String>,
}

impl Reader {
    fn line(&mut self, number: usize, line: &str, cut: bool) -> Result<(), ParseError> {
        if let Mode::Failure { text, .. } = &mut self.mode {
            if !ends_failure_output(line) {
                text.push(line.to_string());
                return Ok(());
            }
            self.end_failure_output();
        }
        let trimmed = line.trim();
        // cargo right-aligns its status words in 12 columns; requiring that keeps a benchmark's
        // own "Running …" output (with --nocapture) from being taken for a new target.
        if let Some(rest) = line.strip_prefix("     Running ") {
            self.end_section();
            self.current_target = Some(self.target(rest.trim()));
        } else if let Some(name) = line.strip_prefix("   Doc-tests ") {
            self.end_section();
            self.current_target = Some(self.target_named(trimmed, name.trim()));
        } else if let Some(n) = running_count(trimmed) {
            self.end_section();
            self.sections += 1;
            let place = self
                .current_target
                .and_then(|t| self.targets.get(t))
                .map_or_else(
                    || format!("the tests announced on line {number}"),
                    |t| t.description.clone(),
                );
            self.places.insert(self.sections, place);
            self.section = Some(Section {
                line: number,
                announced: n,
                reported: 0,
                finished: false,
                died: None,
                target: self.current_target,
            });
        } else if let Some(name) = failure_header(trimmed) {
            let group = self
                .group_index
                .get(&self.key())
                .and_then(|names| names.get(name))
                .copied();
            self.mode = Mode::Failure {
                group,
                text: Vec::new(),
            };
        } else if let Some(summary) = line.strip_prefix("test result: ") {
            let prefix = self
                .current_target
                .and_then(|t| self.targets.get(t))
                .map_or(String::new(), |t| format!("{}: ", t.description));
            self.test_results
                .push(format!("{prefix}{}", summary.trim_end()));
            if let Some(s) = &mut self.section {
                s.finished = true;
            }
        } else if let Some(rest) = trimmed
            .strip_prefix("process didn't exit successfully: ")
            .or_else(|| trimmed.strip_prefix("error: process didn't exit successfully: "))
        {
            if let Some(s) = &mut self.section {
                s.died = Some(rest.to_string());
            }
        } else if let Some(rest) = line.strip_prefix("test ") {
            self.result(number, rest, cut)?;
        }
        Ok(())
    }

    /// A `test NAME ... RESULT` line.
    fn result(&mut self, number: usize, rest: &str, cut: bool) -> Result<(), ParseError> {
        if cut {
            return Err(ParseError::line(
                number,
                "the input ends in the middle of this result line (truncated?)",
            ));
        }
        // Names are padded to a common width before ` ... `; the result never contains ` ... `.
        let Some(at) = rest.rfind(" ... ") else {
            return Ok(()); // not a result line (e.g. program output starting with "test ")
        };
        let field = rest.get(..at).unwrap_or_default();
        let name = field.trim();
        let padded = field.ends_with(' ');
        let result = rest.get(at + 5..).unwrap_or_default().trim();
        if name.is_empty() {
            return Err(ParseError::line(
                number,
                "expected a test name between `test` and ` ... `",
            ));
        }
        let outcome = if let Some(figures) = result.strip_prefix("bench:") {
            bench_figures(number, figures)?
        } else if result == "ignored" || result.starts_with("ignored,") {
            Outcome::Skipped(result.to_string())
        } else if result.starts_with("FAILED") {
            Outcome::Failed(result.to_string())
        } else if result == "ok" || result.starts_with("ok ") {
            self.passed_tests += 1;
            self.count_reported();
            return Ok(());
        } else {
            return Err(ParseError::line(
                number,
                format!(
                    "expected `bench:`, `ignored`, `FAILED` or `ok` after the test name, found {:?}",
                    truncate(result)
                ),
            ));
        };
        let is_bench = matches!(outcome, Outcome::Bench { .. });
        if is_bench {
            self.benches += 1;
        }
        if is_bench || padded {
            let width = self.widths.entry(self.sections).or_default();
            *width = (*width).max(field.len());
        }
        self.count_reported();
        let key = self.key();
        let names = self.group_index.entry(key).or_default();
        let group = match names.get(name) {
            Some(&g) => g,
            None => {
                let g = self.groups.len();
                names.insert(name.to_string(), g);
                self.groups.push(Group {
                    key,
                    name: name.to_string(),
                    failures: Vec::new(),
                });
                g
            }
        };
        self.records.push(Record {
            group,
            outcome,
            section: self.sections,
            width: field.len(),
            padded,
        });
        Ok(())
    }

    fn count_reported(&mut self) {
        if let Some(s) = &mut self.section {
            s.reported += 1;
        }
    }

    fn key(&self) -> Key {
        match self.current_target {
            Some(t) => Key::Target(t),
            None => Key::Section(self.sections),
        }
    }

    /// The target of a `Running …` line: `benches/a.rs (target/release/deps/a-hash)`,
    /// `target/release/deps/a-hash` (old cargo) or `` `…/a-hash --bench` `` (cargo -v).
    fn target(&mut self, rest: &str) -> usize {
        let (description, binary) = match rest.rsplit_once(" (") {
            Some((description, binary)) if rest.ends_with(')') => (
                description.to_string(),
                binary.trim_end_matches(')').to_string(),
            ),
            _ => {
                let inner = rest.trim_matches('`');
                let binary = inner.split_whitespace().next().unwrap_or(inner);
                (binary.to_string(), binary.to_string())
            }
        };
        if let Some(&i) = self.target_index.get(&binary) {
            return i;
        }
        let stem = stem(&binary);
        self.add_target(Target {
            description,
            binary,
            stem,
        })
    }

    fn target_named(&mut self, description: &str, name: &str) -> usize {
        let binary = description.to_string();
        if let Some(&i) = self.target_index.get(&binary) {
            return i;
        }
        self.add_target(Target {
            description: description.to_string(),
            binary,
            stem: name.to_string(),
        })
    }

    fn add_target(&mut self, target: Target) -> usize {
        let i = self.targets.len();
        self.target_index.insert(target.binary.clone(), i);
        self.targets.push(target);
        i
    }

    fn end_failure_output(&mut self) {
        if let Mode::Failure { group, mut text } = std::mem::take(&mut self.mode) {
            while text.last().is_some_and(|l| l.trim().is_empty()) {
                text.pop();
            }
            if let Some(g) = group.and_then(|g| self.groups.get_mut(g)) {
                g.failures.push(text.join("\n"));
            }
        }
    }

    /// Closes the current section; one that reported fewer results than it announced is noted
    /// (its process died: the benchmark that was running has no line at all).
    fn end_section(&mut self) {
        let Some(s) = self.section.take() else {
            return;
        };
        if s.finished || s.reported >= s.announced {
            return;
        }
        let target = s.target.and_then(|t| self.targets.get(t)).map_or_else(
            || format!("the tests announced on line {}", s.line),
            |t| t.description.clone(),
        );
        let why = s.died.map_or_else(
            || "its output stops early".to_string(),
            |d| format!("process didn't exit successfully: {d}"),
        );
        self.incomplete.push(format!(
            "{target}: {} of {} announced results reported; {why}",
            s.reported, s.announced
        ));
    }

    fn finish(mut self, lines: usize) -> Result<Parsed, ParseError> {
        self.end_failure_output();
        if let Some(s) = &self.section
            && !s.finished
            && s.died.is_none()
            && s.reported < s.announced
        {
            return Err(ParseError::line(
                s.line,
                format!(
                    "`running {n} tests` announced {n} results but the input ends after {r} \
                     (line {lines}); expected the rest and a `test result:` line (the input is \
                     truncated, or the benchmark process died: capture cargo's stderr with 2>&1 \
                     to tell)",
                    n = s.announced,
                    r = s.reported,
                ),
            ));
        }
        self.end_section();
        if self.benches == 0 && self.passed_tests > 0 {
            return Err(ParseError::input(format!(
                "the input has passing tests (`test NAME ... ok`) but no benchmark results: this \
                 is `cargo test` output; expected `cargo bench` output ({})",
                Format::Libtest.expected()
            )));
        }
        if self.records.is_empty() {
            return Err(ParseError::input(format!(
                "no libtest results found; expected {}",
                Format::Libtest.expected()
            )));
        }
        let tests = self.drop_tests();
        if self.records.is_empty() {
            return Err(ParseError::input(format!(
                "the input has only tests, which libtest lists as ignored in bench mode, and no \
                 benchmarks; expected {}",
                Format::Libtest.expected()
            )));
        }
        // Groups are unique (target or section, name) pairs in first-seen order, and their final
        // names are unique: one builder per group, found by index.
        let names = self.names();
        let mut builders: Vec<BenchBuilder> = Vec::with_capacity(self.groups.len());
        for (group, name) in self.groups.iter().zip(names) {
            let mut b = BenchBuilder::new("");
            b.name = name;
            if let Key::Target(t) = group.key
                && let Some(target) = self.targets.get(t)
            {
                b.labels.insert("target".into(), target.description.clone());
                b.labels.insert("binary".into(), target.binary.clone());
            }
            builders.push(b);
        }
        let mut deviations: Vec<String> = vec![String::new(); self.groups.len()];
        for record in std::mem::take(&mut self.records) {
            let (Some(b), Some(group)) = (
                builders.get_mut(record.group),
                self.groups.get(record.group),
            ) else {
                continue;
            };
            match record.outcome {
                Outcome::Bench {
                    ns,
                    deviation,
                    mb_s,
                } => {
                    b.metric(
                        Measure::WallTime,
                        Unit::Nanoseconds,
                        Direction::LowerIsBetter,
                    )
                    .and_then(|m| m.push(ns, None))
                    .map_err(ParseError::input)?;
                    if let Some(mb_s) = mb_s {
                        b.metric(
                            Measure::BytesPerSecond,
                            Unit::BytesPerSecond,
                            Direction::HigherIsBetter,
                        )
                        .and_then(|m| m.push(mb_s * 1e6, None))
                        .map_err(ParseError::input)?;
                    }
                    if let Some(all) = deviations.get_mut(record.group) {
                        if !all.is_empty() {
                            all.push_str("; ");
                        }
                        all.push_str(&deviation);
                    }
                }
                Outcome::Skipped(reason) => {
                    let status = std::mem::replace(&mut b.status, Status::Ok);
                    b.status = worse_status(status, Status::Skipped { reason });
                }
                Outcome::Failed(result) => {
                    let message = if group.failures.is_empty() {
                        result
                    } else {
                        group.failures.join("\n\n")
                    };
                    let status = std::mem::replace(&mut b.status, Status::Ok);
                    b.status = worse_status(status, Status::Failed { message });
                }
            }
        }
        for (b, deviation) in builders.iter_mut().zip(deviations) {
            if !deviation.is_empty() {
                b.labels.insert("deviation_ns".into(), deviation);
            }
        }
        let mut context = Context::default();
        if !self.test_results.is_empty() {
            context
                .tags
                .insert("test_result".into(), self.test_results.join("\n"));
        }
        if !self.incomplete.is_empty() {
            context
                .tags
                .insert("incomplete".into(), self.incomplete.join("\n"));
        }
        if !tests.is_empty() {
            context
                .tags
                .insert("tests_not_run".into(), tests.join("\n"));
        }
        Ok(Parsed {
            benchmarks: builders.into_iter().map(BenchBuilder::build).collect(),
            context,
        })
    }

    /// Takes out the `#[test]` functions libtest lists as `ignored` in bench mode: an ignored
    /// line whose name is not padded to the section's benchmark-name width. (libtest pads every
    /// benchmark name to the longest one and no test name; with no width known, an unpadded
    /// ignored line is taken for a test.) Returns them per section, for the context.
    fn drop_tests(&mut self) -> Vec<String> {
        let mut tests: Vec<(usize, Vec<String>)> = Vec::new();
        let mut benchmark_groups = vec![false; self.groups.len()];
        let mut kept = Vec::with_capacity(self.records.len());
        for record in std::mem::take(&mut self.records) {
            let is_test = matches!(record.outcome, Outcome::Skipped(_))
                && !record.padded
                && self.widths.get(&record.section) != Some(&record.width);
            if is_test {
                let name = self.groups.get(record.group).map(|g| g.name.clone());
                match tests.last_mut() {
                    Some((section, names)) if *section == record.section => {
                        names.extend(name);
                    }
                    _ => tests.push((record.section, name.into_iter().collect())),
                }
            } else {
                if let Some(b) = benchmark_groups.get_mut(record.group) {
                    *b = true;
                }
                kept.push(record);
            }
        }
        // Renumber the groups that hold benchmarks, keeping their order.
        let mut new_index = vec![usize::MAX; self.groups.len()];
        let mut groups = Vec::with_capacity(self.groups.len());
        for (i, (group, keep)) in std::mem::take(&mut self.groups)
            .into_iter()
            .zip(benchmark_groups)
            .enumerate()
        {
            if keep && let Some(slot) = new_index.get_mut(i) {
                *slot = groups.len();
                groups.push(group);
            }
        }
        self.groups = groups;
        for record in &mut kept {
            record.group = new_index.get(record.group).copied().unwrap_or(usize::MAX);
        }
        self.records = kept;
        tests
            .into_iter()
            .map(|(section, names)| {
                let place = self
                    .places
                    .get(&section)
                    .map_or("the input", String::as_str);
                format!(
                    "{place}: {} test{} not run (libtest lists tests as ignored in bench mode): {}",
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                )
            })
            .collect()
    }

    /// The final name of every group: names reported by one target (or one section) only are
    /// kept; a name shared by several targets is qualified by each target's stem when those
    /// differ, else numbered ` #2`, ` #3`… in input order.
    fn names(&self) -> Vec<String> {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, g) in self.groups.iter().enumerate() {
            by_name.entry(g.name.as_str()).or_default().push(i);
        }
        // `None`: the group keeps its own name.
        let mut wanted: Vec<Option<String>> = vec![None; self.groups.len()];
        for (name, sharing) in &by_name {
            if sharing.len() < 2 {
                continue;
            }
            let stems: Option<Vec<&str>> = sharing
                .iter()
                .map(|&j| match self.groups.get(j).map(|g| g.key) {
                    Some(Key::Target(t)) => self.targets.get(t).map(|t| t.stem.as_str()),
                    _ => None,
                })
                .collect();
            let stems = stems.filter(|s| s.iter().collect::<HashSet<_>>().len() == s.len());
            for (position, &j) in sharing.iter().enumerate() {
                let renamed = match &stems {
                    Some(stems) => stems.get(position).map(|stem| format!("{stem}::{name}")),
                    None if position == 0 => None,
                    None => Some(format!("{name} #{}", position + 1)),
                };
                if let Some(slot) = wanted.get_mut(j) {
                    *slot = renamed;
                }
            }
        }
        if wanted.iter().all(Option::is_none) {
            // No name is shared: every group's name is already unique.
            return self.groups.iter().map(|g| g.name.clone()).collect();
        }
        // A qualified or numbered name may be some other benchmark's real name.
        let real: HashSet<&str> = self.groups.iter().map(|g| g.name.as_str()).collect();
        let mut taken: HashSet<String> = HashSet::with_capacity(self.groups.len());
        let mut names = Vec::with_capacity(self.groups.len());
        for (g, wanted) in self.groups.iter().zip(wanted) {
            let renamed = wanted.is_some();
            let name = wanted.unwrap_or_else(|| g.name.clone());
            let clash = |n: &str| taken.contains(n) || (renamed && real.contains(n));
            let name = if clash(&name) {
                (2..)
                    .map(|k| format!("{name} #{k}"))
                    .find(|c| !clash(c) && !real.contains(c.as_str()))
                    .unwrap_or(name)
            } else {
                name
            };
            taken.insert(name.clone());
            names.push(name);
        }
        names
    }
}

/// Whether a line ends a failure's captured output.
fn ends_failure_output(line: &str) -> bool {
    let trimmed = line.trim();
    failure_header(trimmed).is_some()
        || trimmed == "failures:"
        || line.starts_with("test result: ")
        || running_count(trimmed).is_some()
        || line.starts_with("     Running ")
}

/// `---- NAME stdout ----` → NAME.
fn failure_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix("---- ")?;
    inner
        .strip_suffix(" stdout ----")
        .or_else(|| inner.strip_suffix(" stderr ----"))
}

/// `running 6 tests` / `running 1 test` → the count.
fn running_count(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("running ")?;
    let count = rest
        .strip_suffix(" tests")
        .or_else(|| rest.strip_suffix(" test"))?;
    count.parse().ok()
}

/// `     9.35 ns/iter (+/- 1.73) = 6380 MB/s`.
fn bench_figures(line: usize, figures: &str) -> Result<Outcome, ParseError> {
    let err = |m: String| ParseError::line(line, m);
    let rest = figures.trim_start();
    let (value, rest) = split_token(rest);
    let ns = number(value).ok_or_else(|| {
        err(format!(
            "expected the ns/iter figure after `bench:`, found {:?}",
            truncate(value)
        ))
    })?;
    let rest = rest.trim_start().strip_prefix("ns/iter").ok_or_else(|| {
        err(format!(
            "expected `ns/iter` after {value}, found {:?}",
            truncate(rest.trim_start())
        ))
    })?;
    let rest = rest.trim_start();
    let inner = rest
        .strip_prefix("(+/-")
        .and_then(|r| r.split_once(')'))
        .filter(|(d, _)| number(d.trim()).is_some())
        .ok_or_else(|| {
            err(format!(
                "expected the deviation `(+/- N)` after `ns/iter`, found {:?}",
                truncate(rest)
            ))
        })?;
    let (deviation, rest) = (inner.0.trim().to_string(), inner.1.trim());
    let mb_s = if rest.is_empty() {
        None
    } else {
        let speed = rest
            .strip_prefix('=')
            .map(str::trim_start)
            .and_then(|r| r.strip_suffix("MB/s"))
            .map(str::trim)
            .and_then(number)
            .ok_or_else(|| {
                err(format!(
                    "expected `= N MB/s` or the end of the line after the deviation, found {:?}",
                    truncate(rest)
                ))
            })?;
        Some(speed)
    };
    Ok(Outcome::Bench {
        ns,
        deviation,
        mb_s,
    })
}

fn split_token(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(i) => (s.get(..i).unwrap_or(s), s.get(i..).unwrap_or_default()),
        None => (s, ""),
    }
}

/// `111,048.73` / `1,234` / `9.35` → the value; thousands separators are libtest's own.
fn number(text: &str) -> Option<f64> {
    let first = text.chars().next()?;
    if !first.is_ascii_digit()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        || text.chars().filter(|&c| c == '.').count() > 1
        || text.ends_with(',')
    {
        return None;
    }
    let value: f64 = if text.contains(',') {
        text.replace(',', "").parse().ok()?
    } else {
        text.parse().ok()?
    };
    value.is_finite().then_some(value)
}

/// `target/release/deps/a-c4c295bf774701c0` → `a`.
fn stem(binary: &str) -> String {
    let file = binary.rsplit(['/', '\\']).next().unwrap_or(binary);
    let file = file.strip_suffix(".exe").unwrap_or(file);
    match file.rsplit_once('-') {
        Some((stem, hash))
            if !stem.is_empty()
                && !hash.is_empty()
                && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            stem.to_string()
        }
        _ => file.to_string(),
    }
}

/// At most 40 characters of `s`, for error messages.
fn truncate(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(40) {
        Some((i, _)) => Cow::Owned(format!("{}…", s.get(..i).unwrap_or(s))),
        None => Cow::Borrowed(s),
    }
}
