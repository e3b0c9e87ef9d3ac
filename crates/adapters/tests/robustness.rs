//! No parser panics or hangs, whatever it is fed: every committed fixture (of any format, and the
//! generator sources beside them) mutated thousands of ways — bytes flipped, inserted, deleted,
//! duplicated, spliced from other fixtures, hostile tokens (huge numbers, NaN, deep nesting) —
//! is given to every format's parser and to `detect`. Deterministic (a fixed seed), so a failure
//! reproduces. The coverage-guided fuzz targets under `fuzz/` go further; this runs in every
//! `cargo test`.

use std::path::{Path, PathBuf};

use benchgate_adapters::{Format, criterion, detect, parse};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"NaN",
    b"-nan",
    b"inf",
    b"-Infinity",
    b"1e309",
    b"-0",
    b"18446744073709551616",
    b"99999999999999999999999999",
    b"-1",
    b"0.0",
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"\n",
    b"\r\n",
    b"\t",
    b" ",
    b"\xff\xfe",
    b"\0",
    b"\xe2\x82",
    b"Benchmark",
    b"BenchmarkX-8 \t 1000\t 12.5 ns/op",
    b"ns/op",
    b"B/op",
    b"MB/s",
    b"--- FAIL: ",
    b"pkg: ",
    b"Unit ns/op better=higher assume=exact",
    b"test x ... bench: ",
    b" ns/iter (+/- ",
    b"{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"",
    b"\"times\":",
    b"\"benchmarks\":",
    b"\"stats\":",
    b"\"iterations\":",
    b"\"time_unit\":\"",
    b"\"run_type\":\"aggregate\"",
    b"\"schema\":\"benchgate/run/v1\"",
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_files(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fixture_files(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.len() <= 2 << 20
        {
            out.push((path, bytes));
        }
    }
}

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(8) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, (rng.next() & 0xff) as u8),
            2 if !out.is_empty() => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 if !out.is_empty() => {
                let from = rng.below(out.len());
                let end = (from + rng.below(256)).min(out.len());
                let piece = out[from..end].to_vec();
                out.splice(at..at, piece);
            }
            4 => out.truncate(at),
            5 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + rng.below(512)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
        }
    }
    out
}

const BYTE_FORMATS: [Format; 7] = [
    Format::Go,
    Format::GoJson,
    Format::Hyperfine,
    Format::GoogleBenchmark,
    Format::PytestBenchmark,
    Format::Libtest,
    Format::Benchgate,
];

#[test]
fn every_parser_survives_mutated_fixtures() {
    let mut files = Vec::new();
    fixture_files(&fixtures_dir(), &mut files);
    assert!(!files.is_empty(), "no fixtures under {:?}", fixtures_dir());
    let mut rng = Rng(0x05ee_d0fb_e4c4_7a7e);
    // Every fixture as it is, through every parser.
    for (_, bytes) in &files {
        let _ = detect(bytes);
        for format in BYTE_FORMATS {
            let _ = parse(format, bytes);
        }
    }
    // Then mutated: each round one fixture, its own format's parser and one other.
    for _ in 0..6_000 {
        let (_, input) = &files[rng.below(files.len())];
        let (_, other) = &files[rng.below(files.len())];
        let mutated = mutate(&mut rng, input, other);
        let own = detect(input);
        let _ = detect(&mutated);
        if let Some(format) = own.filter(|f| !f.is_directory()) {
            let _ = parse(format, &mutated);
        }
        let _ = parse(BYTE_FORMATS[rng.below(BYTE_FORMATS.len())], &mutated);
    }
}

#[test]
fn hostile_shapes_are_errors_not_crashes() {
    let deep_array = "[".repeat(200_000);
    let deep_object = "{\"a\":".repeat(100_000);
    let long_line = "Benchmark".to_string() + &"x".repeat(1 << 20) + " 1 1 ns/op\n";
    let many_fields = "BenchmarkX 1".to_string() + &" 1 ns/op".repeat(100_000) + "\n";
    let huge_numbers = "BenchmarkX 99999999999999999999999 1e400 ns/op\n";
    for input in [
        deep_array.as_str(),
        deep_object.as_str(),
        long_line.as_str(),
        many_fields.as_str(),
        huge_numbers,
    ] {
        let _ = detect(input.as_bytes());
        for format in BYTE_FORMATS {
            let _ = parse(format, input.as_bytes());
        }
    }
}

#[test]
fn criterion_survives_mutated_trees() {
    let dir = fixtures_dir().join("criterion");
    let mut trees = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && criterion::looks_like(&path) {
                trees.push(criterion::read_tree(&path).expect("the fixture tree reads"));
            }
        }
    }
    let mut rng = Rng(0xc817_e810_4a11);
    for tree in &trees {
        for _ in 0..400 {
            let mut mutated = tree.clone();
            if mutated.files.is_empty() {
                break;
            }
            for _ in 0..=rng.below(3) {
                let i = rng.below(mutated.files.len());
                let j = rng.below(mutated.files.len());
                let other = mutated.files[j].1.clone();
                let bytes = mutate(&mut rng, &mutated.files[i].1, &other);
                mutated.files[i].1 = bytes;
                if rng.below(10) == 0 {
                    // A file missing or moved.
                    let k = rng.below(mutated.files.len());
                    mutated.files.remove(k);
                    if mutated.files.is_empty() {
                        break;
                    }
                }
            }
            for baseline in criterion::baselines(&mutated) {
                let _ = criterion::parse(&mutated, &baseline);
            }
            let _ = criterion::parse(&mutated, "new");
        }
    }
}
