//! Projections as benchstat has them: the filter and projection parsers (with the position of
//! every error), filters over Go input, and tables, rows and columns of projected runs.

use benchgate_adapters::Format;
use benchgate_gate::projection::{
    Filter, Key, Order, Projected, Projection, ProjectionFlags, number, parse_filter,
    parse_projection,
};
use benchgate_model::{Run, Source};

mod common;

/// A run of Go benchmark text, as `ingest` makes it (source `ingest:go`).
fn go_run(text: &str) -> Run {
    let parsed = benchgate_adapters::parse(Format::Go, text.as_bytes()).expect("valid Go text");
    let mut run = common::run(parsed.benchmarks);
    run.source = Source::Ingest("go".into());
    run
}

const OLD: &str = "goos: linux\ngoarch: amd64\npkg: example.com/enc\n\
BenchmarkEncode/size=1k-8 100 1000 ns/op 64 B/op 2 allocs/op\n\
BenchmarkEncode/size=1k-8 100 1010 ns/op 64 B/op 2 allocs/op\n\
BenchmarkEncode/size=1k-8 100 990 ns/op 64 B/op 2 allocs/op\n\
BenchmarkEncode/size=4k-8 100 4000 ns/op 256 B/op 2 allocs/op\n\
BenchmarkEncode/size=4k-8 100 4040 ns/op 256 B/op 2 allocs/op\n\
BenchmarkEncode/size=4k-8 100 3960 ns/op 256 B/op 2 allocs/op\n\
BenchmarkDecode/size=1k-8 100 500 ns/op\n\
BenchmarkDecode/size=1k-8 100 505 ns/op\n\
BenchmarkDecode/size=4k-8 100 2000 ns/op\n\
BenchmarkDecode/size=4k-8 100 2020 ns/op\n";

fn projected(flags: ProjectionFlags<'_>, inputs: &[(&str, &Run)]) -> Projected {
    Projection::parse(&flags)
        .expect("valid flags")
        .project(inputs)
}

fn names(run: &Run) -> Vec<&str> {
    run.benchmarks.iter().map(|b| b.name.as_str()).collect()
}

fn samples(run: &Run, bench: &str, measure: &str) -> Vec<f64> {
    run.benchmarks
        .iter()
        .find(|b| b.name == bench)
        .and_then(|b| b.metrics.iter().find(|m| m.measure.to_string() == measure))
        .map(|m| m.samples.clone())
        .unwrap_or_default()
}

fn error_at(
    result: Result<impl std::fmt::Debug, benchgate_gate::projection::SyntaxError>,
) -> (usize, String) {
    let error = result.expect_err("a syntax error");
    (error.position, error.message)
}

#[test]
fn filter_errors_say_the_character_where_they_stopped() {
    assert_eq!(
        error_at(parse_filter("/size:(1k OR")),
        (
            13,
            "expected a value (a word, \"quoted\" or /regexp/)".into()
        )
    );
    assert_eq!(
        error_at(parse_filter("goos:linux )")),
        (12, "a ) that closes nothing".into())
    );
    assert_eq!(
        error_at(parse_filter("goos:linux .bogus:x")).0,
        12,
        "an unknown dot key is refused where it starts"
    );
    assert_eq!(
        error_at(parse_filter("pkg")),
        (4, "expected : after the key pkg".into())
    );
    let (position, message) = error_at(parse_filter(".name:/Enc(/"));
    assert_eq!(position, 7);
    assert!(
        message.starts_with("bad regular expression /Enc(/:"),
        "{message}"
    );
    assert_eq!(
        error_at(parse_filter(".name:\"Enc")),
        (7, "a quoted string is not closed".into())
    );
    assert_eq!(
        error_at(parse_filter("(goos:linux")),
        (12, "expected ) to close the ( before it".into())
    );
    assert_eq!(
        error_at(parse_filter("  ")),
        (
            1,
            "the filter is empty: expected key:value, or * for everything".into()
        )
    );
    assert_eq!(
        error_at(parse_filter(".config:x")),
        (1, ".config is a projection key, not a filter key".into())
    );
}

#[test]
fn projection_errors_say_the_character_where_they_stopped() {
    assert_eq!(
        error_at(parse_projection("/size@(1k")),
        (10, "expected a value or ) in @( … )".into())
    );
    assert_eq!(
        error_at(parse_projection(".name,.unit")),
        (7, ".unit is a filter key, not a projection key".into())
    );
    assert_eq!(
        error_at(parse_projection("/size@fast")),
        (7, "expected alpha, num or ( after @".into())
    );
    assert_eq!(
        error_at(parse_projection("/")),
        (1, "expected a parameter name after /".into())
    );
    let error = Projection::parse(&ProjectionFlags {
        col: Some(".name, /"),
        ..Default::default()
    })
    .expect_err("bad --col");
    assert_eq!(
        error.to_string(),
        "--col \".name, /\": at character 8: expected a parameter name after /"
    );
}

#[test]
fn a_projection_parses_keys_and_orders() {
    let fields = parse_projection(".name, /size@num goos@(linux darwin) .file@alpha").unwrap();
    let parsed: Vec<(Key, Order)> = fields.into_iter().map(|f| (f.key, f.order)).collect();
    assert_eq!(
        parsed,
        vec![
            (Key::Name, Order::FirstSeen),
            (Key::Param("size".into()), Order::Num),
            (
                Key::Label("goos".into()),
                Order::Fixed(vec!["linux".into(), "darwin".into()])
            ),
            (Key::File, Order::Alpha),
        ]
    );
    assert_eq!(number("2k"), Some(2000.0));
    assert_eq!(number("1Mi"), Some(1048576.0));
    assert_eq!(number("fast"), None);
}

#[test]
fn the_filter_grammar_nests_and_or_not() {
    let Filter::Or(terms) = parse_filter("/size:1k .name:Encode OR -(goos:linux)").unwrap() else {
        panic!("OR binds loosest");
    };
    assert!(matches!(&terms[0], Filter::And(and) if and.len() == 2));
    assert!(matches!(&terms[1], Filter::Not(_)));
    assert!(matches!(
        parse_filter("/size:(1k OR \"4k\" OR /^16/)").unwrap(),
        Filter::Match { values, .. } if values.len() == 3
    ));
}

#[test]
fn a_filter_keeps_benchmarks_and_measures_and_counts_what_it_removed() {
    let old = go_run(OLD);
    let only = |filter: &str| {
        projected(
            ProjectionFlags {
                filter: Some(filter),
                ..Default::default()
            },
            &[("old.txt", &old)],
        )
    };
    let p = only("/size:4k");
    assert_eq!(p.filtered_out, 2);
    let first = p.tables[0].first.as_ref().unwrap();
    assert_eq!(names(first), ["Encode/size=4k-8", "Decode/size=4k-8"]);

    let p = only("-/size:4k .name:/^Enc/");
    assert_eq!(p.filtered_out, 3);
    assert_eq!(
        names(p.tables[0].first.as_ref().unwrap()),
        ["Encode/size=1k-8"]
    );

    // `.unit` keeps measures: by unit (`B`) or by measure name (`allocs`); the Decode
    // benchmarks have neither and go.
    let p = only(".unit:(B OR allocs)");
    assert_eq!(p.filtered_out, 2);
    let first = p.tables[0].first.as_ref().unwrap();
    let measures: Vec<String> = first.benchmarks[0]
        .metrics
        .iter()
        .map(|m| m.measure.to_string())
        .collect();
    assert_eq!(measures, ["alloc_bytes", "allocs"]);

    let p = only("goos:darwin");
    assert_eq!(p.filtered_out, 4);
    assert!(p.tables.is_empty());
    assert_eq!(only("*").filtered_out, 0);
    assert_eq!(
        only(".fullname:Decode/size=1k-8 OR /procs:16").filtered_out,
        3
    );
}

#[test]
fn col_by_a_parameter_pairs_its_values_inside_one_file() {
    let old = go_run(OLD);
    let p = projected(
        ProjectionFlags {
            col: Some("/size"),
            ..Default::default()
        },
        &[("old.txt", &old)],
    );
    assert_eq!(p.tables.len(), 1);
    let table = &p.tables[0];
    assert_eq!(
        table.key,
        [
            ("goarch".to_string(), "amd64".to_string()),
            ("goos".into(), "linux".into()),
            ("pkg".into(), "example.com/enc".into())
        ]
    );
    assert_eq!(table.columns, ["1k", "4k"]);
    assert_eq!(table.pairs.len(), 1);
    let pair = &table.pairs[0];
    assert_eq!(
        (pair.baseline_column.as_str(), pair.column.as_str()),
        ("1k", "4k")
    );
    assert_eq!(names(&pair.baseline), ["Encode-8", "Decode-8"]);
    assert_eq!(names(&pair.current), ["Encode-8", "Decode-8"]);
    assert_eq!(
        samples(&pair.baseline, "Encode-8", "wall_time"),
        [1000.0, 1010.0, 990.0]
    );
    assert_eq!(
        samples(&pair.current, "Encode-8", "wall_time"),
        [4000.0, 4040.0, 3960.0]
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    // A fixed order puts 4k first (and is the base); `--row .name` drops the `-8`.
    let p = projected(
        ProjectionFlags {
            col: Some("/size@(4k 1k)"),
            row: Some(".name"),
            ..Default::default()
        },
        &[("old.txt", &old)],
    );
    let pair = &p.tables[0].pairs[0];
    assert_eq!(p.tables[0].columns, ["4k", "1k"]);
    assert_eq!(names(&pair.baseline), ["Encode", "Decode"]);
    assert_eq!(
        samples(&pair.current, "Decode", "wall_time"),
        [500.0, 505.0]
    );
}

#[test]
fn rows_that_pool_different_benchmarks_say_so() {
    let old = go_run(OLD);
    let p = projected(
        ProjectionFlags {
            row: Some(".name"),
            ..Default::default()
        },
        &[("old.txt", &old)],
    );
    let first = p.tables[0].first.as_ref().unwrap();
    assert_eq!(names(first), ["Encode", "Decode"]);
    assert_eq!(
        samples(first, "Decode", "wall_time"),
        [500.0, 505.0, 2000.0, 2020.0]
    );
    assert_eq!(
        p.warnings,
        [
            "row Encode, column old.txt pools 2 benchmarks that vary in .fullname: Encode/size=1k-8, Encode/size=4k-8",
            "row Decode, column old.txt pools 2 benchmarks that vary in .fullname: Decode/size=1k-8, Decode/size=4k-8"
        ]
    );
}

#[test]
fn tables_split_where_the_configuration_differs_between_files_unless_ignored() {
    let old = go_run(OLD);
    let new = go_run(&OLD.replace("goos: linux", "goos: darwin"));
    let inputs = [("old.txt", &old), ("new.txt", &new)];
    let p = projected(ProjectionFlags::default(), &inputs);
    assert_eq!(p.tables.len(), 2);
    assert_eq!(
        p.tables[0].key[1],
        ("goos".to_string(), "linux".to_string())
    );
    assert_eq!(
        p.tables[1].key[1],
        ("goos".to_string(), "darwin".to_string())
    );
    assert_eq!(p.tables[0].columns, ["old.txt"]);
    assert_eq!(p.tables[1].columns, ["new.txt"]);
    assert!(p.tables.iter().all(|t| t.pairs.is_empty()));

    let p = projected(
        ProjectionFlags {
            ignore: Some("goos"),
            ..Default::default()
        },
        &inputs,
    );
    assert_eq!(p.tables.len(), 1);
    assert_eq!(p.tables[0].key.len(), 2, "goos is out of .config");
    assert_eq!(p.tables[0].columns, ["old.txt", "new.txt"]);
    assert_eq!(names(&p.tables[0].pairs[0].current)[0], "Encode/size=1k-8");

    // A label as the column: each file's `note`.
    let before = go_run(&format!("note: before\n{OLD}"));
    let after = go_run(&format!("note: after\n{OLD}"));
    let p = projected(
        ProjectionFlags {
            col: Some("note"),
            ..Default::default()
        },
        &[("a.txt", &before), ("b.txt", &after)],
    );
    assert_eq!(p.tables.len(), 1);
    assert_eq!(p.tables[0].columns, ["before", "after"]);
}

#[test]
fn labels_of_sources_other_than_go_are_not_a_configuration() {
    let mut run = common::run(vec![common::bench("sort/n=10", vec![])]);
    run.benchmarks[0].labels.insert("ops".into(), "12".into());
    let mut other = run.clone();
    other.benchmarks[0].labels.insert("ops".into(), "13".into());
    let p = projected(ProjectionFlags::default(), &[("a", &run), ("b", &other)]);
    assert_eq!(p.tables.len(), 1);
    assert!(p.tables[0].key.is_empty());
    assert_eq!(p.tables[0].columns, ["a", "b"]);
}

#[test]
fn the_same_input_twice_is_two_columns() {
    let old = go_run(OLD);
    let p = projected(
        ProjectionFlags::default(),
        &[("old.txt", &old), ("old.txt", &old)],
    );
    assert_eq!(p.tables[0].columns, ["old.txt", "old.txt#2"]);
    assert_eq!(p.tables[0].pairs.len(), 1);
}
