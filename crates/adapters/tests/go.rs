//! The Go benchmark text adapter against real `go test -bench` output (fixtures/go, made by
//! fixtures/go/regenerate.sh) and against hand-made inputs for the rules and the errors.

mod common;

use common::{bench, failed, map, metric, names};

use benchgate_adapters::{Format, Parsed, detect, go, parse};
use benchgate_model::{Direction, Measure, Status, Unit};

const ALL: &[u8] = include_bytes!("fixtures/go/all.txt");
const VERBOSE: &[u8] = include_bytes!("fixtures/go/verbose.txt");
const OLD: &[u8] = include_bytes!("fixtures/go/benchstat/old.txt");
const NEW: &[u8] = include_bytes!("fixtures/go/benchstat/new.txt");
const ALL_JSON: &[u8] = include_bytes!("fixtures/go/all.json");
const MIXED_JSON: &[u8] = include_bytes!("fixtures/go/mixed.json");

fn go(text: &str) -> Parsed {
    parse(Format::Go, text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &[u8]) -> String {
    parse(Format::Go, text).unwrap_err().to_string()
}

const CODEC: &str = "example.com/benchfix/codec";

fn codec_labels(extra: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    let mut m = map(&[
        ("cpu", "AMD EPYC"),
        ("goarch", "amd64"),
        ("goos", "linux"),
        ("pkg", CODEC),
    ]);
    m.extend(map(extra));
    m
}

#[test]
fn every_fixture_is_detected() {
    for (name, bytes) in [
        ("all.txt", ALL),
        ("verbose.txt", VERBOSE),
        ("old.txt", OLD),
        ("new.txt", NEW),
    ] {
        assert_eq!(detect(bytes), Some(Format::Go), "{name}");
        assert!(go::sniff(bytes), "{name}");
    }
    assert!(!go::sniff(ALL_JSON));
    assert!(!go::sniff(MIXED_JSON));
    // Cut inside the first result line: still recognised.
    let cut = ALL.windows(5).position(|w| w == b"ns/op").unwrap();
    assert!(go::sniff(&ALL[..cut + 2]));
    // Only configuration lines: not yet.
    assert!(!go::sniff(&ALL[..100]));
    assert!(!go::sniff(
        b"test bench_parse ... bench:       1,234 ns/iter (+/- 56)\n"
    ));
    assert!(!go::sniff(b"{\"results\": [{\"command\": \"sleep 1\"}]}"));
    assert!(go::sniff(b"--- FAIL: BenchmarkX\n    x_test.go:1: boom\n"));
}

#[test]
fn all_txt_names_in_first_seen_order_with_package_qualification() {
    let p = parse(Format::Go, ALL).unwrap();
    assert_eq!(
        names(&p),
        [
            "Encode/size=1k/op=encode",
            "Encode/size=1k/op=encode-2",
            "Encode/size=1k/op=decode",
            "Encode/size=1k/op=decode-2",
            "Encode/size=64k/op=encode",
            "Encode/size=64k/op=encode-2",
            "Encode/size=64k/op=decode",
            "Encode/size=64k/op=decode-2",
            "Metrics",
            "Metrics-2",
            "Chatty",
            "Chatty-2",
            "Fails",
            "Decode/format=hex",
            "Decode/format=hex-2",
            "Decode/format=xml",
            "Decode",
            // Parse is in two packages: not a repetition.
            "example.com/benchfix/codec.Parse",
            "example.com/benchfix/codec.Parse-2",
            "Fine",
            "Fine-2",
            "Panics",
            "example.com/benchfix/parse.Parse",
            "example.com/benchfix/parse.Parse-2",
            "Tokenize/input=short",
            "Tokenize/input=short-2",
            "Tokenize/input=long",
            "Tokenize/input=long-2",
        ]
    );
    let codec = bench(&p, "example.com/benchfix/codec.Parse-2");
    assert_eq!(codec.params, map(&[("procs", "2")]));
    assert_eq!(codec.labels["pkg"], CODEC);
    assert_eq!(metric(codec, "wall_time").samples, [155.5, 192.9, 207.4]);
    let parse_pkg = bench(&p, "example.com/benchfix/parse.Parse");
    assert_eq!(parse_pkg.labels["pkg"], "example.com/benchfix/parse");
    assert_eq!(
        metric(parse_pkg, "wall_time").samples,
        [515.0, 471.2, 484.4]
    );
    assert_eq!(metric(parse_pkg, "alloc_bytes").samples, [1.0, 1.0, 1.0]);
    assert_eq!(metric(parse_pkg, "allocs").samples, [0.0, 0.0, 0.0]);
}

#[test]
fn all_txt_sub_benchmarks_benchmem_and_mb_per_s() {
    let p = parse(Format::Go, ALL).unwrap();
    let b = bench(&p, "Encode/size=1k/op=encode");
    assert_eq!(b.params, map(&[("op", "encode"), ("size", "1k")]));
    assert_eq!(b.labels, codec_labels(&[]));
    assert_eq!(b.status, Status::Ok);
    assert_eq!(b.command, None);
    let measures: Vec<&str> = b.metrics.iter().map(|m| m.measure.as_str()).collect();
    assert_eq!(
        measures,
        ["wall_time", "bytes_per_second", "alloc_bytes", "allocs"]
    );
    let wall = metric(b, "wall_time");
    assert_eq!(wall.unit, Unit::Nanoseconds);
    assert_eq!(wall.direction, Direction::LowerIsBetter);
    assert!(!wall.exact);
    assert_eq!(wall.samples, [2122.0, 1149.0, 1244.0]);
    assert_eq!(wall.iterations.as_deref(), Some(&[1000, 1000, 1000][..]));
    assert_eq!(wall.summary.n, 3);
    assert_eq!(wall.summary.median, 1244.0);
    let bps = metric(b, "bytes_per_second");
    assert_eq!(bps.unit, Unit::BytesPerSecond);
    assert_eq!(bps.direction, Direction::HigherIsBetter);
    // Go's MB is 10^6 bytes.
    assert_eq!(bps.samples, [482.50 * 1e6, 891.43 * 1e6, 823.07 * 1e6]);
    assert_eq!(bps.samples[0], 482_500_000.0);
    let alloc = metric(b, "alloc_bytes");
    assert_eq!(alloc.unit, Unit::Bytes);
    assert_eq!(alloc.samples, [2048.0; 3]);
    let allocs = metric(b, "allocs");
    assert_eq!(allocs.unit, Unit::Count);
    assert_eq!(allocs.samples, [1.0; 3]);

    let b2 = bench(&p, "Encode/size=1k/op=encode-2");
    assert_eq!(
        b2.params,
        map(&[("op", "encode"), ("procs", "2"), ("size", "1k")])
    );
    assert_eq!(metric(b2, "wall_time").samples, [2367.0, 7851.0, 2728.0]);
    let big = bench(&p, "Encode/size=64k/op=encode");
    assert_eq!(metric(big, "alloc_bytes").samples, [131072.0; 3]);
}

#[test]
fn all_txt_custom_metrics_and_unit_metadata() {
    let p = parse(Format::Go, ALL).unwrap();
    let b = bench(&p, "Metrics");
    let measures: Vec<&str> = b.metrics.iter().map(|m| m.measure.as_str()).collect();
    assert_eq!(
        measures,
        [
            "wall_time",
            "frobs/op",
            "hits/s",
            "score",
            "alloc_bytes",
            "allocs"
        ]
    );
    let frobs = metric(b, "frobs/op");
    assert_eq!(frobs.measure, Measure::Custom("frobs/op".into()));
    assert_eq!(frobs.unit, Unit::Custom("frobs/op".into()));
    assert_eq!(frobs.direction, Direction::LowerIsBetter);
    // `Unit frobs/op assume=exact`
    assert!(frobs.exact);
    assert_eq!(frobs.samples, [3.0; 3]);
    let hits = metric(b, "hits/s");
    assert_eq!(hits.unit, Unit::Custom("hits/s".into()));
    // Ends in /s: a rate.
    assert_eq!(hits.direction, Direction::HigherIsBetter);
    assert!(!hits.exact);
    assert_eq!(hits.samples, [2785174.0, 3288706.0, 2405413.0]);
    let score = metric(b, "score");
    // `Unit score better=higher`
    assert_eq!(score.direction, Direction::HigherIsBetter);
    assert_eq!(score.samples, [42.5; 3]);
    assert_eq!(
        metric(bench(&p, "Metrics-2"), "wall_time").samples,
        [4156.0, 729.8, 706.8]
    );
}

#[test]
fn all_txt_split_result_lines_of_a_benchmark_that_prints() {
    let p = parse(Format::Go, ALL).unwrap();
    let b = bench(&p, "Chatty");
    assert_eq!(b.status, Status::Ok);
    let wall = metric(b, "wall_time");
    assert_eq!(wall.samples, [274.4, 245.5, 225.1]);
    assert_eq!(wall.iterations.as_deref(), Some(&[1000, 1000, 1000][..]));
    assert_eq!(metric(b, "alloc_bytes").samples, [128.0; 3]);
    // What it prints is `key: value`: configuration, as benchfmt reads it. Its value changed
    // between the repetitions: every value is kept.
    assert_eq!(
        b.labels,
        codec_labels(&[("chatty", "starting with b.N=1 | starting with b.N=1000")])
    );
    let b2 = bench(&p, "Chatty-2");
    assert_eq!(metric(b2, "wall_time").samples, [296.6, 268.6, 279.0]);
    assert_eq!(b2.labels["chatty"], "starting with b.N=1000");
}

#[test]
fn all_txt_failures_and_the_panic() {
    let p = parse(Format::Go, ALL).unwrap();
    let fails = bench(&p, "Fails");
    assert_eq!(
        fails.status,
        failed("codec_test.go:82: boom: the codec is broken\n    second line of the message")
    );
    assert!(fails.metrics.is_empty());
    assert_eq!(fails.params, map(&[]));
    let xml = bench(&p, "Decode/format=xml");
    assert_eq!(xml.status, failed("codec_test.go:94: xml is not supported"));
    assert_eq!(xml.params, map(&[("format", "xml")]));
    assert_eq!(
        bench(&p, "Decode").status,
        failed("a sub-benchmark failed: Decode/format=xml")
    );
    let hex = bench(&p, "Decode/format=hex-2");
    assert_eq!(hex.status, Status::Ok);
    assert_eq!(metric(hex, "wall_time").samples, [4253.0, 5378.0, 2186.0]);
    let panics = bench(&p, "Panics");
    assert_eq!(
        panics.status,
        failed(
            "printed no result (after its name it printed \"panic: index out of range in the \
             benchmark\"); its package ended with: exit status 2, FAIL \
             example.com/benchfix/crash 0.079s"
        )
    );
    assert_eq!(panics.labels["pkg"], "example.com/benchfix/crash");
    let fine = bench(&p, "Fine-2");
    assert_eq!(metric(fine, "wall_time").samples, [0.591, 0.641, 0.891]);
}

#[test]
fn all_txt_configuration_labels_and_context() {
    let p = parse(Format::Go, ALL).unwrap();
    let tok = bench(&p, "Tokenize/input=long-2");
    assert_eq!(
        tok.labels,
        map(&[
            // Set by a line Chatty printed in the first package: configuration goes on.
            ("chatty", "starting with b.N=1000"),
            ("cpu", "AMD EPYC"),
            ("dataset", "synthetic-v1"),
            ("goarch", "amd64"),
            ("goos", "linux"),
            ("pkg", "example.com/benchfix/parse"),
        ])
    );
    assert_eq!(tok.params, map(&[("input", "long"), ("procs", "2")]));
    assert_eq!(metric(tok, "wall_time").samples, [6358.0, 8360.0, 8014.0]);
    let c = &p.context;
    assert_eq!(c.os.as_deref(), Some("linux"));
    assert_eq!(c.arch.as_deref(), Some("x86_64"));
    assert_eq!(c.cpu_model.as_deref(), Some("AMD EPYC"));
    assert_eq!(c.hostname, None);
    assert_eq!(c.started_at, None);
    assert_eq!(
        c.tags,
        map(&[
            (
                "go.package.example.com/benchfix/codec",
                "FAIL\texample.com/benchfix/codec\t2.846s"
            ),
            (
                "go.package.example.com/benchfix/crash",
                "FAIL\texample.com/benchfix/crash\t0.079s"
            ),
            (
                "go.package.example.com/benchfix/parse",
                "ok  \texample.com/benchfix/parse\t0.254s"
            ),
        ])
    );
}

#[test]
fn verbose_output_has_skips_and_messages_before_the_status_line() {
    let p = parse(Format::Go, VERBOSE).unwrap();
    assert_eq!(
        names(&p),
        [
            "Encode/size=1k/op=encode-2",
            "Encode/size=1k/op=decode-2",
            "Encode/size=64k/op=encode-2",
            "Encode/size=64k/op=decode-2",
            "Metrics-2",
            "Chatty-2",
            "Skipped",
            "Fails",
            "Decode/format=hex-2",
            "Decode/format=xml",
            "Decode",
            "example.com/benchfix/codec.Parse-2",
            "example.com/benchfix/parse.Parse-2",
            "Tokenize/input=short-2",
            "Tokenize/input=long-2",
            "Tokenize/input=missing",
        ]
    );
    let skipped = bench(&p, "Skipped");
    assert_eq!(
        skipped.status,
        Status::Skipped {
            reason: "codec_test.go:78: needs a GPU".into()
        }
    );
    assert!(skipped.metrics.is_empty());
    assert_eq!(
        bench(&p, "Tokenize/input=missing").status,
        Status::Skipped {
            reason: "parse_test.go:40: fixture file not found".into()
        }
    );
    assert_eq!(
        bench(&p, "Fails").status,
        failed("codec_test.go:82: boom: the codec is broken\n    second line of the message")
    );
    assert_eq!(
        bench(&p, "Decode/format=xml").status,
        failed("codec_test.go:94: xml is not supported")
    );
    assert_eq!(
        bench(&p, "Decode").status,
        failed("a sub-benchmark failed: Decode/format=xml")
    );
    // The log lines after the bare `BenchmarkParse` line are no message of anything.
    let parse_pkg = bench(&p, "example.com/benchfix/parse.Parse-2");
    assert_eq!(parse_pkg.status, Status::Ok);
    assert_eq!(metric(parse_pkg, "wall_time").samples, [453.5]);
    let m = bench(&p, "Metrics-2");
    assert_eq!(metric(m, "hits/s").samples, [3022244.0]);
    assert_eq!(
        metric(m, "wall_time").iterations.as_deref(),
        Some(&[1000][..])
    );
}

#[test]
fn benchstat_runs_have_ten_samples_per_benchmark() {
    let old = parse(Format::Go, OLD).unwrap();
    let new = parse(Format::Go, NEW).unwrap();
    for p in [&old, &new] {
        assert_eq!(names(p), ["Hash-2", "Sort-2", "Compress-2", "Search-2"]);
        for b in &p.benchmarks {
            assert_eq!(b.params, map(&[("procs", "2")]));
            assert_eq!(b.labels["pkg"], "example.com/scaled");
            for m in &b.metrics {
                assert_eq!(m.samples.len(), 10, "{} {}", b.name, m.measure);
            }
        }
    }
    let median = |p: &Parsed, name: &str| metric(bench(p, name), "wall_time").summary.median;
    let ratio = |name: &str| median(&new, name) / median(&old, name);
    assert!(
        (1.07..1.13).contains(&ratio("Compress-2")),
        "{}",
        ratio("Compress-2")
    );
    assert!(
        (1.4..1.6).contains(&ratio("Search-2")),
        "{}",
        ratio("Search-2")
    );
    assert!(
        (0.97..1.03).contains(&ratio("Hash-2")),
        "{}",
        ratio("Hash-2")
    );
    assert!(
        (0.97..1.03).contains(&ratio("Sort-2")),
        "{}",
        ratio("Sort-2")
    );
    let first = metric(bench(&old, "Hash-2"), "wall_time");
    assert_eq!(first.samples[0], 37505.0);
    assert_eq!(first.iterations.as_ref().map(|i| i[0]), Some(638));
}

#[test]
fn units_are_converted_and_unknown_units_kept() {
    let p = go("BenchmarkA 10 0.5 sec/op 2000 B/s 7 allocs 3 x/op\n\
         Unit x/op better=higher assume=exact color=red\n");
    let b = bench(&p, "A");
    assert_eq!(metric(b, "wall_time").samples, [5e8]);
    assert_eq!(metric(b, "wall_time").unit, Unit::Nanoseconds);
    assert_eq!(metric(b, "bytes_per_second").samples, [2000.0]);
    // A unit spelled like a built-in measure stays apart from it.
    let allocs = metric(b, "go:allocs");
    assert_eq!(allocs.unit, Unit::Custom("allocs".into()));
    assert!(b.metric(&Measure::Allocs).is_none());
    // Unit metadata applies to results before it too.
    let x = metric(b, "x/op");
    assert_eq!(x.direction, Direction::HigherIsBetter);
    assert!(x.exact);
    assert_eq!(p.context.tags["go.unit.x/op.color"], "red");
    assert_eq!(
        metric(b, "wall_time").iterations.as_deref(),
        Some(&[10][..])
    );
}

/// Go computes ns/op, B/op, allocs/op and MB/s itself and never prints NaN, infinity or a
/// negative number for them: such a line is corrupt and is refused where it is.
#[test]
fn impossible_built_in_values_are_refused_with_their_line() {
    assert_eq!(
        err(b"goos: linux\nBenchmarkA 10 3 ns/op\nBenchmarkA 10 NaN ns/op 5 B/op\n"),
        "line 3: BenchmarkA: NaN ns/op is not a possible value (expected a finite number, not \
         negative)"
    );
    assert_eq!(
        err(b"BenchmarkB 1 +Inf ns/op\n"),
        "line 1: BenchmarkB: +Inf ns/op is not a possible value (expected a finite number, not \
         negative)"
    );
    assert_eq!(
        err(b"BenchmarkC-2 100 -5 ns/op\n"),
        "line 1: BenchmarkC-2: -5 ns/op is not a possible value (expected a finite number, not \
         negative)"
    );
    assert_eq!(
        err(b"BenchmarkD 1 3 ns/op -1 B/op\n"),
        "line 1: BenchmarkD: -1 B/op is not a possible value (expected a finite number, not \
         negative)"
    );
}

/// `b.ReportMetric` values are the benchmark's own: NaN there (0/0) is left out and said, and
/// negative values are kept.
#[test]
fn non_finite_custom_values_are_left_out_and_said() {
    let p = go(
        "BenchmarkA 10 2 ns/op NaN x/op -4 delta/op\nBenchmarkA 10 3 ns/op 1 x/op -5 delta/op\n\
         BenchmarkB 1 1 ns/op +Inf x/op\n",
    );
    let a = bench(&p, "A");
    assert_eq!(a.status, Status::Ok);
    assert_eq!(metric(a, "wall_time").samples, [2.0, 3.0]);
    assert_eq!(metric(a, "x/op").samples, [1.0]);
    assert_eq!(metric(a, "x/op").iterations.as_deref(), Some(&[10][..]));
    assert_eq!(metric(a, "delta/op").samples, [-4.0, -5.0]);
    assert_eq!(
        a.labels,
        map(&[("nan.x/op", "1 of 2 values were not finite (NaN or ±Inf)")])
    );
    let b = bench(&p, "B");
    assert_eq!(b.status, Status::Ok);
    assert!(b.metric(&Measure::Custom("x/op".into())).is_none());
}

#[test]
fn configuration_rules() {
    let p = go(
        "note: a\nBenchmarkA 1 1 ns/op\nnote:\nBenchmarkB 1 1 ns/op\n\
         commit: x\nBenchmarkC 1 1 ns/op\ncommit: y\nBenchmarkC 1 2 ns/op\n\
         Not: config\nmy key: no\nkey:novalue\nBenchmarkD 1 1 ns/op\n",
    );
    assert_eq!(bench(&p, "A").labels, map(&[("note", "a")]));
    assert_eq!(bench(&p, "B").labels, map(&[]));
    assert_eq!(bench(&p, "C").labels, map(&[("commit", "x | y")]));
    assert_eq!(metric(bench(&p, "C"), "wall_time").samples, [1.0, 2.0]);
    assert_eq!(bench(&p, "D").labels, map(&[("commit", "y")]));
    let p = go("goarch: arm64\ngoos: darwin\nBenchmarkA 1 1 ns/op\ngoarch: 386\n");
    assert_eq!(p.context.arch.as_deref(), Some("aarch64"));
    assert_eq!(p.context.os.as_deref(), Some("darwin"));
    assert_eq!(bench(&p, "A").labels["goarch"], "arm64");
    let p = go("goarch: riscv64\nBenchmarkA 1 1 ns/op\n");
    assert_eq!(p.context.arch.as_deref(), Some("riscv64"));
}

#[test]
fn a_value_that_changes_every_repetition_is_listed_up_to_twenty_times() {
    let text: String = (0..25)
        .map(|i| format!("elapsed: {i}s\nBenchmarkA 1 {i} ns/op\n"))
        .collect();
    let p = go(&text);
    let a = bench(&p, "A");
    let first: Vec<String> = (0..20).map(|i| format!("{i}s")).collect();
    assert_eq!(
        a.labels["elapsed"],
        format!("{} | … (25 distinct values in all)", first.join(" | "))
    );
    assert_eq!(metric(a, "wall_time").samples.len(), 25);
}

#[test]
fn large_adversarial_inputs_stay_linear() {
    // Configuration changing before every result of one benchmark, and many failures without a
    // message next to many parents: quadratic work here would not finish.
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!("n: {i}\nBenchmarkA 1 {i} ns/op\n"));
    }
    for i in 0..50_000 {
        text.push_str(&format!(
            "--- FAIL: BenchmarkP{i}/x\n--- FAIL: BenchmarkP{i}\n"
        ));
    }
    let p = go(&text);
    assert_eq!(p.benchmarks.len(), 100_001);
    assert_eq!(metric(bench(&p, "A"), "wall_time").samples.len(), 100_000);
    assert_eq!(
        bench(&p, "P49999").status,
        failed("a sub-benchmark failed: P49999/x")
    );
    assert_eq!(
        bench(&p, "P7/x").status,
        failed("go test reported FAIL without a message")
    );
}

#[test]
fn names_and_params() {
    let p = go(
        "BenchmarkA/procs=4-8 1 1 ns/op\nBenchmarkB/n-3/k=v=w/x 1 1 ns/op\n\
         BenchmarkC-16 1 1 ns/op\nBenchmarkD/a=1/a=2 1 1 ns/op\n",
    );
    assert_eq!(
        bench(&p, "A/procs=4-8").params,
        map(&[("gomaxprocs", "8"), ("procs", "4")])
    );
    // `-3` ends the name: GOMAXPROCS, as benchfmt reads it.
    assert_eq!(bench(&p, "B/n-3/k=v=w/x").params, map(&[("k", "v=w")]));
    assert_eq!(bench(&p, "C-16").params, map(&[("procs", "16")]));
    assert_eq!(bench(&p, "D/a=1/a=2").params, map(&[("a", "1")]));
    // Without a pkg, and in one: the packaged one is qualified.
    let p = go("BenchmarkA 1 1 ns/op\npkg: p\nBenchmarkA 1 2 ns/op\nBenchmarkA 1 3 ns/op\n");
    assert_eq!(names(&p), ["A", "p.A"]);
    assert_eq!(metric(bench(&p, "p.A"), "wall_time").samples, [2.0, 3.0]);
}

#[test]
fn split_results_and_unfinished_names() {
    // An iteration count of 10^7 or more has no leading spaces.
    let p = go("BenchmarkA   \thello\nworld\n12345678\t 1.5 ns/op\n");
    let a = bench(&p, "A");
    assert_eq!(metric(a, "wall_time").samples, [1.5]);
    assert_eq!(
        metric(a, "wall_time").iterations.as_deref(),
        Some(&[12345678][..])
    );
    // A printed line that only looks like a benchmark name.
    let p = go("Benchmarking is fun\nBenchmarkB 1 1 ns/op\n   7\t 2 ns/op\n");
    assert_eq!(names(&p), ["B"]);
    assert_eq!(metric(bench(&p, "B"), "wall_time").samples, [1.0]);
    assert_eq!(
        p.context.tags["go.unfinished"],
        "1 Benchmark line(s) with a name but no result, the first Benchmarking at line 1"
    );
    // `Benchmark` followed by a space is not a name.
    let p = go("Benchmark results follow\nBenchmarkB 1 1 ns/op\n");
    assert_eq!(names(&p), ["B"]);
    assert!(!p.context.tags.contains_key("go.unfinished"));
}

#[test]
fn statuses() {
    let p = go("--- FAIL: BenchmarkA\n    a.go:1: x\n        \n        y\n\
         --- FAIL: BenchmarkA\n    a.go:1: x\n--- SKIP: BenchmarkB\n\
         --- FAIL: TestC (0.00s)\n    c.go:1: test failure\nBenchmarkD 1 1 ns/op\n\
         --- SKIP: BenchmarkE\n\tnot yet\n--- FAIL: BenchmarkE\n");
    assert_eq!(names(&p), ["A", "B", "D", "E"]);
    assert_eq!(
        bench(&p, "A").status,
        failed("a.go:1: x\n    \n    y (reported 2 times)")
    );
    assert_eq!(
        bench(&p, "B").status,
        Status::Skipped {
            reason: "go test reported SKIP without a reason".into()
        }
    );
    assert_eq!(bench(&p, "D").status, Status::Ok);
    // A failure outranks a skip.
    assert_eq!(
        bench(&p, "E").status,
        failed("go test reported FAIL without a message")
    );
}

#[test]
fn crlf_line_endings() {
    let p = go(
        "pkg: p\r\nBenchmarkA-2 \t 10\t 5 ns/op\t 3 B/op\r\n--- FAIL: BenchmarkB\r\n    b.go:1: x\r\n",
    );
    let a = bench(&p, "A-2");
    assert_eq!(a.labels, map(&[("pkg", "p")]));
    assert_eq!(metric(a, "alloc_bytes").samples, [3.0]);
    assert_eq!(bench(&p, "B").status, failed("b.go:1: x"));
}

#[test]
fn bad_inputs_give_clear_errors() {
    let expected =
        "expected `go test -bench` output: lines like `BenchmarkName-8  1000  1234 ns/op`";
    assert_eq!(err(b""), format!("the input is empty; {expected}"));
    assert_eq!(err(b"  \n\t\n"), format!("the input is empty; {expected}"));
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    assert_eq!(
        err(&garbage),
        format!("no benchmark results found; {expected}")
    );
    assert_eq!(
        err(b"goos: linux\nPASS\n"),
        format!("no benchmark results found; {expected}")
    );
    // Another format's file.
    assert_eq!(
        err(ALL_JSON),
        format!(
            "no benchmark results found; {expected}; the input looks like go-json output \
             (try --adapter go-json or --adapter auto)"
        )
    );
    assert_eq!(
        go::parse(br#"{"results": [{"command": "sleep 1", "times": [1.0]}]}"#)
            .unwrap_err()
            .to_string(),
        format!("no benchmark results found; {expected}")
    );
}

#[test]
fn malformed_and_truncated_result_lines() {
    let line = "BenchmarkParse-8   \t 1000\t  1234 ns/op\t  64 B/op\n";
    let cut = |s: &str| err(format!("goos: linux\n{s}").as_bytes());
    assert_eq!(
        cut(&line[..line.find("1234").unwrap() + 4]),
        "line 2: BenchmarkParse-8: expected a unit after the value 1234, found the end of the line"
    );
    assert_eq!(
        cut(&line[..line.find("1234").unwrap() + 2]),
        "line 2: BenchmarkParse-8: expected a unit after the value 12, found the end of the line"
    );
    assert_eq!(
        cut(&line[..line.find("1000").unwrap() + 4]),
        "line 2: expected value/unit pairs after the iteration count 1000 of BenchmarkParse-8, \
         found the end of the line"
    );
    assert_eq!(
        cut(&line[..line.find("1000").unwrap()]),
        "line 2: the input ends before the result of BenchmarkParse-8: expected a line with its \
         iteration count and value/unit pairs (is the input truncated?)"
    );
    // Cut mid-unit: `ns/o` is a unit like any other; cut inside the name: no result at all.
    let p = go(&line[..line.find("ns/op").unwrap() + 4]);
    assert_eq!(metric(bench(&p, "Parse-8"), "ns/o").samples, [1234.0]);
    assert_eq!(
        cut("BenchmarkPar"),
        "no benchmark results found; expected `go test -bench` output: lines like \
         `BenchmarkName-8  1000  1234 ns/op`"
    );
    assert_eq!(
        cut("BenchmarkParse-8 abc 1234 ns/op\n"),
        "line 2: expected an iteration count after the benchmark name, found \"abc\""
    );
    assert_eq!(
        cut("BenchmarkParse-8 100 12 ns/op 5\n"),
        "line 2: BenchmarkParse-8: expected a unit after the value 5, found the end of the line"
    );
    assert_eq!(
        cut("BenchmarkParse-8 100 fast ns/op\n"),
        "line 2: BenchmarkParse-8: expected a number (a value before its unit), found \"fast\""
    );
    assert_eq!(
        cut("BenchmarkParse-8 99999999999999999999 1 ns/op\n"),
        "line 2: the iteration count 99999999999999999999 is too large"
    );
    assert_eq!(
        cut("BenchmarkX 10 1 ns/op 2 ns/op\n"),
        "line 2: BenchmarkX reports ns/op and ns/op on one line: expected each unit once"
    );
    assert_eq!(
        cut("BenchmarkX 10 1 ns/op 2 sec/op\n"),
        "line 2: BenchmarkX reports ns/op and sec/op on one line: expected each unit once"
    );
    assert_eq!(
        err(b"BenchmarkX\xff 10 1 ns/op\n"),
        "line 1: the benchmark name is not UTF-8 text; expected `go test -bench` output"
    );
    // The fixture cut in the middle of its first result's numbers.
    let at = ALL.windows(4).position(|w| w == b"2122").unwrap();
    assert_eq!(
        err(&ALL[..at + 2]),
        "line 7: BenchmarkEncode/size=1k/op=encode: expected a unit after the value 21, found \
         the end of the line"
    );
    // ... and right after the name and padding of the split Chatty result.
    let at = ALL
        .windows(15)
        .position(|w| w == b"BenchmarkChatty")
        .unwrap();
    assert_eq!(
        err(&ALL[..at + 45]),
        "line 38: the input ends before the result of BenchmarkChatty: expected a line with its \
         iteration count and value/unit pairs (is the input truncated?)"
    );
}

#[test]
fn bad_unit_metadata() {
    assert_eq!(
        err(b"Unit x/op better=higher\nUnit x/op better=lower\nBenchmarkA 1 1 x/op\n"),
        "line 2: unit x/op was better=higher before, now better=lower"
    );
    assert_eq!(
        err(b"Unit x/op better=up\n"),
        "line 1: expected better=higher or better=lower for unit x/op, found better=up"
    );
    assert_eq!(
        err(b"Unit x/op assume=maybe\n"),
        "line 1: expected assume=exact or assume=nothing for unit x/op, found assume=maybe"
    );
    assert_eq!(
        err(b"BenchmarkA 1 1 ns/op\nUnit x/op fast\n"),
        "line 2: expected key=value after the unit x/op, found \"fast\""
    );
    assert_eq!(
        err(b"BenchmarkA 1 1 ns/op\nUnit\n"),
        "line 2: expected a unit after `Unit` (`Unit <unit> better=higher`), found the end of \
         the line"
    );
    // The same metadata twice is fine; it applies to ns/op and sec/op alike.
    let p = go("Unit ns/op assume=exact\nUnit sec/op assume=exact\nBenchmarkA 1 1 ns/op\n");
    assert!(metric(bench(&p, "A"), "wall_time").exact);
}

#[test]
fn qualified_names_must_stay_distinct() {
    assert_eq!(
        err(b"pkg: p\nBenchmarkA 1 1 ns/op\npkg: q\nBenchmarkA 1 1 ns/op\npkg:\nBenchmarkp.A 1 1 ns/op\n"),
        "line 6: p.A names two benchmarks once names found in several packages are qualified by \
         package (this one is Benchmarkp.A of no package); expected distinct names"
    );
}

#[test]
fn no_panic_on_any_prefix_or_garbage() {
    for text in [ALL, VERBOSE] {
        for end in 0..=text.len() {
            let _ = go::parse(&text[..end]);
        }
    }
    for text in [OLD, NEW, ALL_JSON, MIXED_JSON] {
        for k in 0..=250 {
            let _ = go::parse(&text[..text.len() * k / 250]);
        }
    }
    // Lines shuffled out of order and glued together.
    let lines: Vec<&[u8]> = ALL.split(|&b| b == b'\n').collect();
    let mut seed = 12345u64;
    for _ in 0..200 {
        let mut text = Vec::new();
        for _ in 0..30 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let line = lines[(seed >> 33) as usize % lines.len()];
            let cut = (seed >> 20) as usize % (line.len() + 1);
            text.extend_from_slice(&line[..cut]);
            if seed & 1 == 0 {
                text.push(b'\n');
            }
        }
        let _ = go::parse(&text);
    }
}
