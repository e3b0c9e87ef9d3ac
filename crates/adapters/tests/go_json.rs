//! The `go test -json` adapter against real output (fixtures/go/*.json, made by
//! fixtures/go/regenerate.sh) and against hand-made event streams for the rules and the errors.

mod common;

use common::{bench, failed, map, metric, names};

use benchgate_adapters::{Format, Parsed, detect, go_json, parse};
use benchgate_model::{Direction, Status, Unit};
use time::macros::datetime;

const ALL: &[u8] = include_bytes!("fixtures/go/all.json");
const MIXED: &[u8] = include_bytes!("fixtures/go/mixed.json");
const ALL_TXT: &[u8] = include_bytes!("fixtures/go/all.txt");

fn json(text: &str) -> Parsed {
    parse(Format::GoJson, text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &[u8]) -> String {
    parse(Format::GoJson, text).unwrap_err().to_string()
}

/// An output event of package `p` (the text JSON-escaped by hand in the callers).
fn out(output: &str) -> String {
    format!("{{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"{output}\"}}\n")
}

#[test]
fn fixtures_are_detected() {
    assert_eq!(detect(ALL), Some(Format::GoJson));
    // Compiler messages before the first event.
    assert_eq!(detect(MIXED), Some(Format::GoJson));
    assert!(go_json::sniff(&ALL[..300]));
    assert!(!go_json::sniff(ALL_TXT));
    assert!(!go_json::sniff(
        b"{\"results\": [{\"command\": \"sleep 1\"}]}"
    ));
    assert!(!go_json::sniff(
        b"{\n  \"context\": {\"date\": \"x\"},\n  \"benchmarks\": []\n}"
    ));
    assert!(!go_json::sniff(
        b"BenchmarkA 1 1 ns/op\n{\"Action\":\"output\"}\n"
    ));
}

#[test]
fn all_json_reassembles_the_output_of_each_package() {
    let p = parse(Format::GoJson, ALL).unwrap();
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
            "Skipped",
            "Fails",
            "Decode/format=hex",
            "Decode/format=hex-2",
            "Decode/format=xml",
            "Decode",
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
            "Tokenize/input=missing",
        ]
    );
    let b = bench(&p, "Encode/size=1k/op=encode");
    assert_eq!(b.params, map(&[("op", "encode"), ("size", "1k")]));
    assert_eq!(
        b.labels,
        map(&[
            ("cpu", "AMD EPYC"),
            ("goarch", "amd64"),
            ("goos", "linux"),
            ("pkg", "example.com/benchfix/codec"),
        ])
    );
    // The third result's name and numbers came in two events (lines 12 and 13).
    let wall = metric(b, "wall_time");
    assert_eq!(wall.samples, [2469.0, 1504.0, 1091.0]);
    assert_eq!(wall.iterations.as_deref(), Some(&[1000, 1000, 1000][..]));
    assert_eq!(
        metric(b, "bytes_per_second").samples,
        [414.73e6, 681.07e6, 938.95e6]
    );
    assert_eq!(metric(b, "alloc_bytes").samples, [2048.0; 3]);
    assert_eq!(
        metric(bench(&p, "Encode/size=1k/op=encode-2"), "wall_time").samples,
        [2458.0, 2285.0, 1262.0]
    );
    let m = bench(&p, "Metrics-2");
    let hits = metric(m, "hits/s");
    assert_eq!(hits.unit, Unit::Custom("hits/s".into()));
    assert_eq!(hits.direction, Direction::HigherIsBetter);
    assert_eq!(hits.samples, [3301441.0, 2520136.0, 1731926.0]);
    assert!(metric(m, "frobs/op").exact);
    assert_eq!(metric(m, "score").direction, Direction::HigherIsBetter);
    // Chatty output prints the name after the run: no split, and the printed lines come before.
    let chatty = bench(&p, "Chatty");
    assert_eq!(metric(chatty, "wall_time").samples, [132.0, 139.4, 171.2]);
    assert_eq!(chatty.labels["chatty"], "starting with b.N=1000");
    assert_eq!(
        metric(bench(&p, "Chatty-2"), "wall_time").samples,
        [160.2, 234.0, 215.1]
    );
    // Each package starts afresh: the chatty key does not leak into the next ones.
    let tok = bench(&p, "Tokenize/input=long-2");
    assert_eq!(
        tok.labels,
        map(&[
            ("cpu", "AMD EPYC"),
            ("dataset", "synthetic-v1"),
            ("goarch", "amd64"),
            ("goos", "linux"),
            ("pkg", "example.com/benchfix/parse"),
        ])
    );
}

#[test]
fn all_json_statuses_and_context() {
    let p = parse(Format::GoJson, ALL).unwrap();
    assert_eq!(
        bench(&p, "Skipped").status,
        Status::Skipped {
            reason: "codec_test.go:78: needs a GPU".into()
        }
    );
    assert_eq!(
        bench(&p, "Tokenize/input=missing").status,
        Status::Skipped {
            reason: "parse_test.go:40: fixture file not found".into()
        }
    );
    let fails = bench(&p, "Fails");
    assert_eq!(
        fails.status,
        failed("codec_test.go:82: boom: the codec is broken\n    second line of the message")
    );
    assert!(fails.metrics.is_empty());
    assert_eq!(
        bench(&p, "Decode/format=xml").status,
        failed("codec_test.go:94: xml is not supported")
    );
    assert_eq!(
        bench(&p, "Decode").status,
        failed("a sub-benchmark failed: Decode/format=xml")
    );
    // Chatty output never prints the name of a benchmark that dies: only its announcement.
    assert_eq!(
        bench(&p, "Panics").status,
        failed(
            "started but printed no result (\"panic: index out of range in the benchmark\"); \
             its package ended with: exit status 2, FAIL example.com/benchfix/crash 0.041s"
        )
    );
    assert_eq!(
        bench(&p, "Panics").labels,
        map(&[
            ("cpu", "AMD EPYC"),
            ("goarch", "amd64"),
            ("goos", "linux"),
            ("pkg", "example.com/benchfix/crash"),
        ])
    );
    let c = &p.context;
    assert_eq!(c.os.as_deref(), Some("linux"));
    assert_eq!(c.arch.as_deref(), Some("x86_64"));
    assert_eq!(c.cpu_model.as_deref(), Some("AMD EPYC"));
    assert_eq!(
        c.started_at,
        Some(datetime!(2026-12-01 07:37:30.429907602 UTC))
    );
    assert_eq!(
        c.ended_at,
        Some(datetime!(2026-12-01 07:37:32.55298879 UTC))
    );
    assert_eq!(
        c.tags["go.package.example.com/benchfix/parse"],
        "ok  \texample.com/benchfix/parse\t0.152s"
    );
    assert_eq!(
        c.tags["go.package.example.com/benchfix/codec"],
        "FAIL\texample.com/benchfix/codec\t1.930s"
    );
    assert!(!c.tags.contains_key("go-json.non_json_lines"));
}

#[test]
fn mixed_json_ignores_and_counts_compiler_output() {
    let p = parse(Format::GoJson, MIXED).unwrap();
    // Only one package ran, so Parse needs no qualification.
    assert_eq!(
        names(&p),
        [
            "Parse-2",
            "Tokenize/input=short-2",
            "Tokenize/input=long-2",
            "Tokenize/input=missing"
        ]
    );
    assert_eq!(metric(bench(&p, "Parse-2"), "wall_time").samples, [570.4]);
    assert_eq!(
        metric(bench(&p, "Tokenize/input=long-2"), "wall_time").samples,
        [4412.0]
    );
    assert_eq!(
        p.context.tags,
        map(&[
            (
                "go-json.non_json_lines",
                "3 line(s) that are not JSON events, ignored; the first, line 1: # \
                 example.com/benchfix/codec [example.com/benchfix/codec.test]"
            ),
            (
                "go.package.example.com/benchfix/codec",
                "FAIL\texample.com/benchfix/codec [build failed]"
            ),
            (
                "go.package.example.com/benchfix/parse",
                "ok  \texample.com/benchfix/parse\t0.049s"
            ),
        ])
    );
    assert_eq!(
        p.context.started_at,
        Some(datetime!(2026-12-01 07:37:34.143519575 UTC))
    );
}

#[test]
fn fragments_cut_anywhere_are_joined() {
    let text = [
        out("pkg: p\\nBench"),
        out("markA-2 \\t   "),
        out("  10\\t 1.5 ns/op\\t"),
        out(" 8 B/op\\nBenchmarkA-2 \\t 10\\t 2.5 ns/op\\t 8 B/op\\n"),
    ]
    .concat();
    let p = json(&text);
    let a = bench(&p, "A-2");
    assert_eq!(metric(a, "wall_time").samples, [1.5, 2.5]);
    assert_eq!(metric(a, "alloc_bytes").samples, [8.0, 8.0]);
    assert_eq!(a.params, map(&[("procs", "2")]));
    assert_eq!(a.labels, map(&[("pkg", "p")]));
    assert_eq!(p.context.started_at, None);
}

#[test]
fn packages_interleave_and_the_same_name_in_two_is_qualified() {
    let text = "{\"Action\":\"output\",\"Package\":\"a\",\"Output\":\"BenchmarkX \\t\"}\n\
         {\"Action\":\"output\",\"Package\":\"b\",\"Output\":\"BenchmarkX \\t 5\\t 7 ns/op\\n\"}\n\
         {\"Action\":\"output\",\"Package\":\"a\",\"Output\":\"3\\t 9 ns/op\\n\"}\n\
         {\"Action\":\"output\",\"Output\":\"BenchmarkY 1 1 ns/op\\n\"}\n";
    let p = json(text);
    assert_eq!(names(&p), ["a.X", "b.X", "Y"]);
    let ax = bench(&p, "a.X");
    assert_eq!(metric(ax, "wall_time").samples, [9.0]);
    assert_eq!(
        metric(ax, "wall_time").iterations.as_deref(),
        Some(&[3][..])
    );
    assert_eq!(ax.labels, map(&[("pkg", "a")]));
    assert_eq!(metric(bench(&p, "b.X"), "wall_time").samples, [7.0]);
    // An event without a Package: no pkg label.
    assert_eq!(bench(&p, "Y").labels, map(&[]));
}

#[test]
fn status_events_count_when_the_output_says_nothing() {
    let text = [
        out("BenchmarkA 1 1 ns/op\\n"),
        "{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"BenchmarkB\"}\n".to_string(),
        "{\"Action\":\"skip\",\"Package\":\"p\",\"Test\":\"BenchmarkA\"}\n".to_string(),
        "{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"TestC\"}\n".to_string(),
        "{\"Action\":\"fail\",\"Package\":\"p\",\"Elapsed\":0.5}\n".to_string(),
    ]
    .concat();
    let p = json(&text);
    assert_eq!(names(&p), ["A", "B"]);
    assert_eq!(
        bench(&p, "B").status,
        failed("go test -json reported Action \"fail\" for it")
    );
    assert_eq!(bench(&p, "B").labels, map(&[("pkg", "p")]));
    assert_eq!(
        bench(&p, "A").status,
        Status::Skipped {
            reason: "go test -json reported Action \"skip\" for it".into()
        }
    );
    assert_eq!(metric(bench(&p, "A"), "wall_time").samples, [1.0]);
}

#[test]
fn errors_point_at_the_event_where_the_line_started() {
    let text = [
        out("goos: linux\\n"),
        out("BenchmarkX-8 \\t"),
        out("100\\t 12"),
        out("\\n"),
    ]
    .concat();
    assert_eq!(
        err(text.as_bytes()),
        "line 2: BenchmarkX-8: expected a unit after the value 12, found the end of the line (in \
         the Output of package p, its line 2)"
    );
    let text = [out("BenchmarkX-8 \\t"), out("100\\t")].concat();
    assert_eq!(
        err(text.as_bytes()),
        "line 1: expected value/unit pairs after the iteration count 100 of BenchmarkX-8, found \
         the end of the line (in the Output of package p, its line 1)"
    );
    let text = [out("BenchmarkA 1 1 ns/op\\n"), out("BenchmarkX-8 \\t")].concat();
    assert_eq!(
        err(text.as_bytes()),
        "line 2: the input ends before the result of BenchmarkX-8: expected a line with its \
         iteration count and value/unit pairs (is the input truncated?) (in the Output of \
         package p, its line 2)"
    );
    let text = [
        out("pkg: p\\nBenchmarkA 1 1 ns/op\\npkg: q\\nBenchmarkA 1 1 ns/op\\npkg:\\n"),
        out("Benchmarkp.A 1 1 ns/op\\n"),
    ]
    .concat();
    assert_eq!(
        err(text.as_bytes()),
        "line 2: p.A names two benchmarks once names found in several packages are qualified by \
         package (this one is Benchmarkp.A of no package); expected distinct names (in the \
         Output of package p, its line 6)"
    );
}

#[test]
fn bad_json_lines() {
    let first = out("BenchmarkA 1 1 ns/op\\n");
    assert_eq!(
        err(format!("{first}{{\"Action\":\"output\",\"Out").as_bytes()),
        "$: EOF while parsing a string (line 2, column 23)"
    );
    assert_eq!(
        err(format!("{first}\n{{\"Action\": 5}}\n").as_bytes()),
        "$.Action: invalid type: integer `5`, expected a string (line 3, column 12)"
    );
    assert_eq!(
        err(format!("{first}{{\"Package\":\"p\"}}\n").as_bytes()),
        "$: missing field `Action` (line 2, column 15)"
    );
    assert_eq!(
        err(format!("{first}{{\"Action\":\"output\"}} {{}}\n").as_bytes()),
        "$: trailing characters (line 2, column 21)"
    );
    assert_eq!(
        err(format!("{first}{{\"Action\":\"output\",\"Time\":\"yesterday\"}}\n").as_bytes()),
        "$.Time: expected an RFC 3339 time, found \"yesterday\" (line 2, column 20)"
    );
    // Pretty-printed JSON of another tool.
    assert_eq!(
        go_json::parse(b"{\n  \"results\": []\n}\n")
            .unwrap_err()
            .to_string(),
        "$: EOF while parsing an object (line 1, column 1)"
    );
}

#[test]
fn inputs_without_events_or_results() {
    let expected = "expected `go test -json` output: one JSON event per line with an \"Action\"";
    assert_eq!(err(b""), format!("the input is empty; {expected}"));
    assert_eq!(
        err(b"# pkg\nx.go:1:1: syntax error\n"),
        format!("no JSON events found; {expected}")
    );
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .filter(|&b| b != b'{')
        .collect();
    assert_eq!(err(&garbage), format!("no JSON events found; {expected}"));
    // Go text given to the JSON adapter.
    assert_eq!(
        err(ALL_TXT),
        format!(
            "no JSON events found; {expected}; the input looks like go output (try --adapter go \
             or --adapter auto)"
        )
    );
    // `go test -json` without -bench.
    let text = [
        out("=== RUN   TestA\\n"),
        out("--- PASS: TestA (0.00s)\\n"),
        "{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestA\"}\n".to_string(),
    ]
    .concat();
    assert_eq!(
        err(text.as_bytes()),
        format!(
            "the Output of the 3 events holds no benchmark results (was -bench given?); {expected}"
        )
    );
}

#[test]
fn no_panic_on_any_prefix_or_garbage() {
    for text in [ALL, MIXED] {
        for k in 0..=400 {
            let _ = go_json::parse(&text[..text.len() * k / 400]);
        }
    }
    // Every cut inside the events that carry a split result and the panic.
    for end in 0..MIXED.len().min(3000) {
        let _ = go_json::parse(&MIXED[..end]);
    }
    for end in 0..ALL_TXT.len() / 4 {
        let _ = go_json::parse(&ALL_TXT[..end]);
    }
    let mut seed = 99u64;
    let lines: Vec<&[u8]> = ALL.split(|&b| b == b'\n').collect();
    for _ in 0..100 {
        let mut text = Vec::new();
        for _ in 0..40 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let line = lines[(seed >> 33) as usize % lines.len()];
            text.extend_from_slice(line);
            text.push(b'\n');
        }
        let _ = go_json::parse(&text);
    }
}

#[test]
fn units_are_those_of_the_text_format() {
    let p = json(&out("BenchmarkA 4 2 sec/op 3 MB/s\\n"));
    let a = bench(&p, "A");
    assert_eq!(metric(a, "wall_time").samples, [2e9]);
    assert_eq!(metric(a, "bytes_per_second").samples, [3e6]);
    assert_eq!(metric(a, "bytes_per_second").unit, Unit::BytesPerSecond);
}
