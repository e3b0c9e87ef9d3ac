//! The libtest adapter against real `cargo bench` output of rustc 1.95's libtest
//! (tests/fixtures/libtest, see regenerate.sh there), plus hand-written lines for what this
//! toolchain does not print (older integer figures, colours, cargo -v) and for broken inputs.

mod common;

use common::{bench, names};

use benchgate_adapters::{Format, Location, Parsed, detect, libtest, parse};
use benchgate_model::{Benchmark, Direction, Measure, Status, Unit};

const WITH_STDERR: &[u8] = include_bytes!("fixtures/libtest/bench-with-stderr.txt");
const STDOUT_ONLY: &[u8] = include_bytes!("fixtures/libtest/bench-stdout-only.txt");
const REPEATED_WITH_STDERR: &[u8] = include_bytes!("fixtures/libtest/repeated-with-stderr.txt");
const REPEATED_STDOUT_ONLY: &[u8] = include_bytes!("fixtures/libtest/repeated-stdout-only.txt");
const FIXTURES: &[(&str, &[u8])] = &[
    ("bench-with-stderr.txt", WITH_STDERR),
    ("bench-stdout-only.txt", STDOUT_ONLY),
    ("repeated-with-stderr.txt", REPEATED_WITH_STDERR),
    ("repeated-stdout-only.txt", REPEATED_STDOUT_ONLY),
];

const PANIC_MESSAGE_HEAD: &str = "setting up\n\nthread 'main' (";
const PANIC_MESSAGE_TAIL: &str = ") panicked at src/lib.rs:49:9:\nthe benchmark found a bug\nnote: \
     run with `RUST_BACKTRACE=1` environment variable to display a backtrace";

fn parsed(bytes: &[u8]) -> Parsed {
    parse(Format::Libtest, bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn text(input: &str) -> Parsed {
    parse(Format::Libtest, input.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn err(input: &str) -> String {
    parse(Format::Libtest, input.as_bytes())
        .expect_err("expected an error")
        .to_string()
}

fn wall(b: &Benchmark) -> &[f64] {
    &b.metric(&Measure::WallTime)
        .unwrap_or_else(|| panic!("{} has no wall_time", b.name))
        .samples
}

fn label<'a>(b: &'a Benchmark, key: &str) -> Option<&'a str> {
    b.labels.get(key).map(String::as_str)
}

#[test]
fn every_fixture_is_detected() {
    for (name, bytes) in FIXTURES {
        assert!(libtest::sniff(bytes), "{name}");
        assert_eq!(detect(bytes), Some(Format::Libtest), "{name}");
    }
}

#[test]
fn cargo_bench_with_cargo_s_lines() {
    let p = parsed(WITH_STDERR);
    assert_eq!(
        names(&p),
        [
            "tests::bench_ignored",
            "tests::bench_panics",
            "tests::bench_parse",
            "tests::bench_sleep_50us",
            "tests::bench_sum_4k",
            "bench_only_in_a",
            // Two targets have a bench_shared: qualified by the target.
            "a::bench_shared",
            "bench_a_before",
            "b::bench_shared",
        ]
    );

    // In bench mode libtest lists a plain #[test] as ignored, with its name not padded to the
    // benchmarks' width: not a benchmark, but said in the context.
    assert_eq!(
        p.context.tags["tests_not_run"],
        "unittests src/lib.rs: 1 test not run (libtest lists tests as ignored in bench mode): \
         tests::parse_works"
    );
    let ignored = bench(&p, "tests::bench_ignored");
    assert_eq!(
        ignored.status,
        Status::Skipped {
            reason: "ignored, needs a quiet machine".into()
        }
    );
    assert!(ignored.metrics.is_empty());
    assert_eq!(label(ignored, "target"), Some("unittests src/lib.rs"));
    assert_eq!(
        label(ignored, "binary"),
        Some("target/release/deps/ltfix-afa7446ed8189557")
    );

    // A panic fails that benchmark only; the message is its captured output.
    let panics = bench(&p, "tests::bench_panics");
    let Status::Failed { message } = &panics.status else {
        panic!("{:?}", panics.status)
    };
    assert_eq!(
        message,
        &format!("{PANIC_MESSAGE_HEAD}26553{PANIC_MESSAGE_TAIL}")
    );
    assert!(panics.metrics.is_empty());

    let parse_bench = bench(&p, "tests::bench_parse");
    assert_eq!(parse_bench.status, Status::Ok);
    let wall_metric = parse_bench.metric(&Measure::WallTime).unwrap();
    assert_eq!(wall_metric.samples, [9.37]);
    assert_eq!(wall_metric.unit, Unit::Nanoseconds);
    assert_eq!(wall_metric.direction, Direction::LowerIsBetter);
    assert_eq!(wall_metric.iterations, None);
    assert_eq!(label(parse_bench, "deviation_ns"), Some("72.69"));
    assert!(parse_bench.params.is_empty());
    assert_eq!(parse_bench.command, None);

    // Thousands separators, kept verbatim in the deviation.
    let slow = bench(&p, "tests::bench_sleep_50us");
    assert_eq!(wall(slow), [110860.12]);
    assert_eq!(label(slow, "deviation_ns"), Some("3,726.91"));

    // b.bytes: MB/s is 1e6 B/s.
    let sum = bench(&p, "tests::bench_sum_4k");
    assert_eq!(wall(sum), [1748.06]);
    let rate = sum.metric(&Measure::BytesPerSecond).unwrap();
    assert_eq!(rate.samples, [2343e6]);
    assert_eq!(rate.unit, Unit::BytesPerSecond);
    assert_eq!(rate.direction, Direction::HigherIsBetter);
    assert_eq!(label(sum, "deviation_ns"), Some("1,110.05"));

    let a = bench(&p, "a::bench_shared");
    assert_eq!(wall(a), [1.25]);
    assert_eq!(label(a, "target"), Some("benches/a.rs"));
    assert_eq!(label(a, "deviation_ns"), Some("10.05"));
    let b = bench(&p, "b::bench_shared");
    assert_eq!(wall(b), [2.49]);
    assert_eq!(label(b, "target"), Some("benches/b.rs"));
    assert_eq!(
        label(b, "binary"),
        Some("target/release/deps/b-4e57dcabe90b70dd")
    );
    // A name only one target has is not qualified.
    assert_eq!(
        label(bench(&p, "bench_only_in_a"), "target"),
        Some("benches/a.rs")
    );

    // The abort target reported one of its three benchmarks before its process died.
    assert_eq!(wall(bench(&p, "bench_a_before")), [0.62]);
    assert_eq!(
        p.context.tags["incomplete"],
        "benches/abort.rs: 1 of 3 announced results reported; process didn't exit successfully: \
         `/work/wt/hyperfine-libtest/crates/adapters/tests/fixtures/libtest/benchcrate/target/\
         release/deps/abort-669e5912b8fec709 --bench` (signal: 6, SIGABRT: process abort signal)"
    );
    assert_eq!(
        p.context.tags["test_result"],
        "unittests src/lib.rs: FAILED. 0 passed; 1 failed; 2 ignored; 3 measured; 0 filtered \
         out; finished in 1.67s\n\
         benches/a.rs: ok. 0 passed; 0 failed; 0 ignored; 2 measured; 0 filtered out; finished \
         in 0.62s\n\
         benches/b.rs: ok. 0 passed; 0 failed; 0 ignored; 1 measured; 0 filtered out; finished \
         in 0.28s"
    );
    assert_eq!(p.context.tags.len(), 3);
    assert_eq!(p.context.started_at, None);
}

#[test]
fn cargo_bench_stdout_only_keeps_same_names_of_different_sections_apart() {
    let p = parsed(STDOUT_ONLY);
    assert_eq!(
        names(&p),
        [
            "tests::bench_ignored",
            "tests::bench_panics",
            "tests::bench_parse",
            "tests::bench_sleep_50us",
            "tests::bench_sum_4k",
            "bench_only_in_a",
            "bench_shared",
            "bench_a_before",
            "bench_shared #2",
        ]
    );
    assert_eq!(wall(bench(&p, "bench_shared")), [1.25]);
    assert_eq!(wall(bench(&p, "bench_shared #2")), [2.50]);
    assert_eq!(
        label(bench(&p, "bench_shared #2"), "deviation_ns"),
        Some("28.16")
    );
    assert_eq!(label(bench(&p, "bench_shared"), "target"), None);
    let sum = bench(&p, "tests::bench_sum_4k");
    assert_eq!(wall(sum), [1713.71]);
    assert_eq!(
        sum.metric(&Measure::BytesPerSecond).unwrap().samples,
        [2391e6]
    );
    let Status::Failed { message } = &bench(&p, "tests::bench_panics").status else {
        panic!()
    };
    assert_eq!(
        message,
        &format!("{PANIC_MESSAGE_HEAD}26576{PANIC_MESSAGE_TAIL}")
    );
    // Without cargo's lines the dead target is known by its `running 3 tests` line.
    assert_eq!(
        p.context.tags["incomplete"],
        "the tests announced on line 33: 1 of 3 announced results reported; its output stops early"
    );
    assert!(p.context.tags["test_result"].starts_with("FAILED. 0 passed; 1 failed;"));
    assert_eq!(
        p.context.tags["tests_not_run"],
        "the tests announced on line 2: 1 test not run (libtest lists tests as ignored in bench \
         mode): tests::parse_works"
    );
}

#[test]
fn repeated_runs_of_one_target_become_samples() {
    let p = parsed(REPEATED_WITH_STDERR);
    assert_eq!(
        names(&p),
        ["bench_only_in_a", "a::bench_shared", "b::bench_shared"]
    );
    let a = bench(&p, "a::bench_shared");
    assert_eq!(wall(a), [1.25, 1.26]);
    assert_eq!(label(a, "deviation_ns"), Some("12.05; 12.07"));
    let b = bench(&p, "b::bench_shared");
    assert_eq!(wall(b), [2.49, 2.49]);
    assert_eq!(label(b, "deviation_ns"), Some("24.09; 16.10"));
    assert_eq!(wall(bench(&p, "bench_only_in_a")), [0.62, 0.62]);
    assert_eq!(p.context.tags["test_result"].lines().count(), 4);
    assert!(!p.context.tags.contains_key("incomplete"));
}

#[test]
fn repeated_runs_without_cargo_s_lines_are_not_pooled_by_guesswork() {
    let p = parsed(REPEATED_STDOUT_ONLY);
    assert_eq!(
        names(&p),
        [
            "bench_only_in_a",
            "bench_shared",
            "bench_shared #2",
            "bench_only_in_a #2",
            "bench_shared #3",
            "bench_shared #4",
        ]
    );
    let walls: Vec<&[f64]> = p.benchmarks.iter().map(wall).collect();
    assert_eq!(
        walls,
        [&[0.62][..], &[1.25], &[2.49], &[0.62], &[1.25], &[2.49]]
    );
}

// --- hand-written lines ----------------------------------------------------------------------

#[test]
fn older_integer_figures_and_mb_per_second() {
    let p = text(
        "running 2 tests\n\
         test tests::bench_parse ... bench:       1,234 ns/iter (+/- 56)\n\
         test tests::bench_copy  ... bench:   1,234,567 ns/iter (+/- 8,910) = 123 MB/s\n\
         \n\
         test result: ok. 0 passed; 0 failed; 0 ignored; 2 measured; 0 filtered out\n",
    );
    assert_eq!(names(&p), ["tests::bench_parse", "tests::bench_copy"]);
    assert_eq!(wall(&p.benchmarks[0]), [1234.0]);
    assert_eq!(label(&p.benchmarks[0], "deviation_ns"), Some("56"));
    assert_eq!(wall(&p.benchmarks[1]), [1234567.0]);
    assert_eq!(
        p.benchmarks[1]
            .metric(&Measure::BytesPerSecond)
            .unwrap()
            .samples,
        [123e6]
    );
    assert_eq!(label(&p.benchmarks[1], "deviation_ns"), Some("8,910"));
    assert_eq!(
        p.context.tags["test_result"],
        "ok. 0 passed; 0 failed; 0 ignored; 2 measured; 0 filtered out"
    );
}

#[test]
fn colours_crlf_and_verbose_cargo() {
    let p = text(
        "\u{1b}[1m\u{1b}[32m     Running\u{1b}[0m `/w/target/release/deps/parse-0123abcd --bench`\r\n\
         \r\n\
         running 1 test\r\n\
         test x ... bench:          10.50 ns/iter (+/- 0.25)\r\n\
         \u{1b}[1m\u{1b}[32m     Running\u{1b}[0m target/release/deps/emit-89abcdef\r\n\
         running 2 tests\r\n\
         test x ... \u{1b}[33mbench:\u{1b}[0m          20.00 ns/iter (+/- 1.00)\r\n\
         test y ... \u{1b}[31mFAILED\u{1b}[0m\r\n",
    );
    assert_eq!(names(&p), ["parse::x", "emit::x", "y"]);
    assert_eq!(wall(&p.benchmarks[0]), [10.5]);
    assert_eq!(
        label(&p.benchmarks[0], "binary"),
        Some("/w/target/release/deps/parse-0123abcd")
    );
    assert_eq!(wall(&p.benchmarks[1]), [20.0]);
    assert_eq!(
        label(&p.benchmarks[1], "target"),
        Some("target/release/deps/emit-89abcdef")
    );
    // No failure section: the result itself is the message.
    assert_eq!(
        p.benchmarks[2].status,
        Status::Failed {
            message: "FAILED".into()
        }
    );
}

#[test]
fn qualified_names_never_take_a_real_name() {
    // The lib has a module `a` with bench_shared: "a::bench_shared" is taken.
    let p = text(
        "     Running unittests src/lib.rs (target/release/deps/a-1111)\n\
         test a::bench_shared ... bench: 1.00 ns/iter (+/- 0.10)\n\
         test bench_shared ... bench: 2.00 ns/iter (+/- 0.20)\n\
         \x20    Running benches/b.rs (target/release/deps/b-2222)\n\
         test bench_shared ... bench: 3.00 ns/iter (+/- 0.30)\n\
         \x20    Running benches/a.rs (target/x86_64/release/deps/a-3333)\n\
         test bench_other ... bench: 4.00 ns/iter (+/- 0.40)\n\
         \x20    Running benches/a.rs (target/x86_64/release/deps/a-3333)\n\
         test bench_other ... bench: 5.00 ns/iter (+/- 0.50)\n",
    );
    assert_eq!(
        names(&p),
        [
            "a::bench_shared",
            "a::bench_shared #2",
            "b::bench_shared",
            "bench_other"
        ]
    );
    assert_eq!(wall(&p.benchmarks[1]), [2.0]);
    // The same binary again is a repeated run.
    assert_eq!(wall(&p.benchmarks[3]), [4.0, 5.0]);
    assert_eq!(label(&p.benchmarks[3], "deviation_ns"), Some("0.40; 0.50"));

    // Two targets with one stem (two builds): numbered instead.
    let p = text(
        "     Running benches/a.rs (target/release/deps/a-1111)\n\
         test x ... bench: 1.00 ns/iter (+/- 0.10)\n\
         \x20    Running benches/a.rs (target/debug/deps/a-2222)\n\
         test x ... bench: 2.00 ns/iter (+/- 0.20)\n",
    );
    assert_eq!(names(&p), ["x", "x #2"]);
}

#[test]
fn statuses_of_repeated_runs_and_failure_sections() {
    let p = text(
        "     Running benches/a.rs (target/release/deps/a-1111)\n\
         running 2 tests\n\
         test flaky ... bench: 1.00 ns/iter (+/- 0.10)\n\
         test skip  ... ignored\n\
         test result: ok. 0 passed; 0 failed; 1 ignored; 1 measured; 0 filtered out\n\
         \x20    Running benches/a.rs (target/release/deps/a-1111)\n\
         running 2 tests\n\
         test flaky ... FAILED\n\
         test skip  ... ignored\n\
         failures:\n\
         \n\
         ---- flaky stdout ----\n\
         test fake ... bench: 9.00 ns/iter (+/- 0.90)\n\
         thread 'main' panicked at src/a.rs:3:5:\n\
         \n\
         failures:\n\
         \x20   flaky\n\
         test result: FAILED. 0 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out\n",
    );
    assert_eq!(names(&p), ["flaky", "skip"]);
    let flaky = &p.benchmarks[0];
    // Failed once: failed, and the measured run's sample is kept.
    assert_eq!(
        flaky.status,
        Status::Failed {
            message: "test fake ... bench: 9.00 ns/iter (+/- 0.90)\nthread 'main' panicked at \
                      src/a.rs:3:5:"
                .into()
        }
    );
    assert_eq!(wall(flaky), [1.0]);
    assert_eq!(
        p.benchmarks[1].status,
        Status::Skipped {
            reason: "ignored".into()
        }
    );
}

// --- errors ----------------------------------------------------------------------------------

#[test]
fn empty_garbage_and_wrong_inputs() {
    assert_eq!(
        err(""),
        "the input is empty; expected libtest bench lines: `test name ... bench: 1,234 ns/iter \
         (+/- 56)`"
    );
    assert_eq!(err("\n \n"), err(""));
    let e = parse(Format::Libtest, &[0, 159, 146, 150, 255, b'\n', 7]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no libtest results found; expected libtest bench lines: `test name ... bench: 1,234 \
         ns/iter (+/- 56)`"
    );
    assert_eq!(e.location, Location::Input);
    assert_eq!(
        err("running 2 tests\ntest a ... ok\ntest b ... ignored\n\ntest result: ok. 1 passed\n"),
        "the input has passing tests (`test NAME ... ok`) but no benchmark results: this is \
         `cargo test` output; expected `cargo bench` output (libtest bench lines: `test name ... \
         bench: 1,234 ns/iter (+/- 56)`)"
    );
    let hyperfine = include_bytes!("fixtures/hyperfine/v1.15-commands.json");
    assert!(!libtest::sniff(hyperfine));
    assert_eq!(
        parse(Format::Libtest, hyperfine).unwrap_err().to_string(),
        "no libtest results found; expected libtest bench lines: `test name ... bench: 1,234 \
         ns/iter (+/- 56)`; the input looks like hyperfine output (try --adapter hyperfine or \
         --adapter auto)"
    );
    // Go's benchmark text is not libtest's.
    assert!(!libtest::sniff(
        b"BenchmarkParse-8   \t 1000000\t      1234 ns/op\n"
    ));
    assert!(!libtest::sniff(b"xtest a ... bench: 1 ns/iter (+/- 1)\n"));
}

#[test]
fn unreadable_result_lines_name_the_line_and_what_was_expected() {
    let line = |l: &str| err(&format!("running 1 test\n{l}\n"));
    assert_eq!(
        line("test a ... bench:   abc ns/iter (+/- 1)"),
        "line 2: expected the ns/iter figure after `bench:`, found \"abc\""
    );
    assert_eq!(
        line("test a ... bench:   1.2.3 ns/iter (+/- 1)"),
        "line 2: expected the ns/iter figure after `bench:`, found \"1.2.3\""
    );
    assert_eq!(
        line("test a ... bench:   12 ms/iter (+/- 1)"),
        "line 2: expected `ns/iter` after 12, found \"ms/iter (+/- 1)\""
    );
    assert_eq!(
        line("test a ... bench:   12 ns/iter"),
        "line 2: expected the deviation `(+/- N)` after `ns/iter`, found \"\""
    );
    assert_eq!(
        line("test a ... bench:   12 ns/iter (+/- x)"),
        "line 2: expected the deviation `(+/- N)` after `ns/iter`, found \"(+/- x)\""
    );
    assert_eq!(
        line("test a ... bench:   12 ns/iter (+/- 1) = 5 GB/s"),
        "line 2: expected `= N MB/s` or the end of the line after the deviation, found \"= 5 \
         GB/s\""
    );
    assert_eq!(
        line("test a ... timeout"),
        "line 2: expected `bench:`, `ignored`, `FAILED` or `ok` after the test name, found \
         \"timeout\""
    );
    assert_eq!(
        line("test  ... bench: 1 ns/iter (+/- 1)"),
        "line 2: expected a test name between `test` and ` ... `"
    );
}

#[test]
fn truncated_inputs_are_errors() {
    let text = std::str::from_utf8(WITH_STDERR).unwrap();
    // Cut mid-figure: the line lacks its unit.
    let at = text.find("110,860").unwrap() + 4;
    let e = parse(Format::Libtest, &WITH_STDERR[..at]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 9: the input ends in the middle of this result line (truncated?)"
    );
    assert_eq!(
        e.location,
        Location::Line {
            line: 9,
            column: None
        }
    );
    // Cut mid-name.
    let at = text.find("bench_sum_4k").unwrap() + 5;
    assert_eq!(
        parse(Format::Libtest, &WITH_STDERR[..at])
            .unwrap_err()
            .to_string(),
        "line 10: the input ends in the middle of this result line (truncated?)"
    );
    // Cut at the end of a line, before the last target's results are all in.
    let at = text.find("test tests::bench_sleep_50us").unwrap();
    assert_eq!(
        parse(Format::Libtest, &WITH_STDERR[..at])
            .unwrap_err()
            .to_string(),
        "line 4: `running 6 tests` announced 6 results but the input ends after 4 (line 8); \
         expected the rest and a `test result:` line (the input is truncated, or the benchmark \
         process died: capture cargo's stderr with 2>&1 to tell)"
    );
    // Cut in the failure section: the benchmarks are all in, the message is what there is.
    let at = text.find("the benchmark found a bug").unwrap();
    let p = parse(Format::Libtest, &WITH_STDERR[..at]).unwrap();
    assert_eq!(
        p.benchmarks[1].status,
        Status::Failed {
            message: "setting up\n\nthread 'main' (26553) panicked at src/lib.rs:49:9:".into()
        }
    );
}

#[test]
fn no_input_makes_the_parser_panic() {
    for (_, bytes) in FIXTURES {
        for end in 0..=bytes.len() {
            let _ = parse(Format::Libtest, &bytes[..end]);
            let _ = libtest::sniff(&bytes[..end]);
        }
        let mut noisy = bytes.to_vec();
        for i in (0..noisy.len()).step_by(5) {
            noisy[i] ^= 0xa5;
            let _ = libtest::parse(&noisy);
        }
    }
    let _ = libtest::parse("test ".repeat(10_000).as_bytes());
    let _ = libtest::parse("\u{1b}[".repeat(10_000).as_bytes());
    let _ = libtest::parse(b"test a ... bench: 9999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999 ns/iter (+/- 1)\n");
}

#[test]
fn only_cargo_s_own_running_lines_switch_targets() {
    // `cargo bench -- --nocapture`: a benchmark's output is not captured.
    let p = text(
        "     Running benches/sim.rs (target/release/deps/sim-1111)\n\
         running 3 tests\n\
         Running the simulation (target: fast)\n\
         test x ... bench: 1.00 ns/iter (+/- 0.10)\n\
         test y ... bench: 2.00 ns/iter (+/- 0.20)\n\
         error: process didn't exit successfully: `target/release/deps/sim-1111 --bench` (signal: 11)\n\
         \x20    Running benches/other.rs (target/release/deps/other-2222)\n\
         running 1 test\n\
         test x ... bench: 3.00 ns/iter (+/- 0.30)\n",
    );
    assert_eq!(names(&p), ["sim::x", "y", "other::x"]);
    assert_eq!(label(&p.benchmarks[1], "target"), Some("benches/sim.rs"));
    assert_eq!(
        p.context.tags["incomplete"],
        "benches/sim.rs: 2 of 3 announced results reported; process didn't exit successfully: \
         `target/release/deps/sim-1111 --bench` (signal: 11)"
    );
}

#[test]
fn tests_are_told_from_ignored_benchmarks_by_libtest_s_padding() {
    let p = text(
        "running 5 tests\n\
         test tests::a_test ... ignored\n\
         test tests::bench_long_name ... ignored\n\
         test tests::bench_x         ... ignored, slow\n\
         test tests::a_much_longer_test_name ... ignored\n\
         test tests::bench_y         ... bench: 1.00 ns/iter (+/- 0.10)\n\
         \n\
         running 2 tests\n\
         test only_tests_here ... ignored\n\
         test and_here ... ignored\n",
    );
    // The longest benchmark name is not padded, but has the padded names' width.
    assert_eq!(
        names(&p),
        ["tests::bench_long_name", "tests::bench_x", "tests::bench_y"]
    );
    assert_eq!(
        p.benchmarks[0].status,
        Status::Skipped {
            reason: "ignored".into()
        }
    );
    assert_eq!(
        p.context.tags["tests_not_run"],
        "the tests announced on line 1: 2 tests not run (libtest lists tests as ignored in bench \
         mode): tests::a_test, tests::a_much_longer_test_name\n\
         the tests announced on line 8: 2 tests not run (libtest lists tests as ignored in bench \
         mode): only_tests_here, and_here"
    );
    assert_eq!(
        err("running 1 test\ntest it_works ... ignored\n"),
        "the input has only tests, which libtest lists as ignored in bench mode, and no \
         benchmarks; expected libtest bench lines: `test name ... bench: 1,234 ns/iter (+/- 56)`"
    );
}
