//! Bad input gets one clear line on stderr naming what is wrong, exit code 2, no panic, and no
//! file written.

mod common;

use std::path::Path;

use common::{benchgate, record, stderr};

/// Runs benchgate expecting a usage/input error; returns the single stderr line.
fn one_line_error(args: &[&str], dir: &Path) -> String {
    let out = benchgate(args, dir);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?} should print one line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    lines[0].to_string()
}

fn good_run(dir: &Path, file: &str) {
    record(dir, file, "true", "true", 2);
}

#[test]
fn missing_command_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let line = one_line_error(
        &[
            "run",
            "--export-json",
            "x.json",
            "--",
            "no-such-benchgate-command --flag",
        ],
        dir.path(),
    );
    assert_eq!(
        line,
        "error: command not found: no-such-benchgate-command (searched PATH)"
    );
    assert!(!dir.path().join("x.json").exists());
}

#[test]
fn missing_command_list() {
    let dir = tempfile::tempdir().unwrap();
    // No commands and no benchgate.toml: say how to do either.
    let line = one_line_error(&["run"], dir.path());
    assert_eq!(
        line,
        "error: benchgate.toml: no such file; write one (see docs/config.md) or benchmark \
         commands directly with `benchgate run -- CMD`"
    );
    let line = one_line_error(&["run", "--", "--"], dir.path());
    assert!(line.contains("no command to benchmark"), "{line}");
}

#[test]
fn unknown_flag() {
    let dir = tempfile::tempdir().unwrap();
    let line = one_line_error(&["run", "--frobnicate", "--", "true"], dir.path());
    assert!(line.contains("'--frobnicate'"), "{line}");
    let line = one_line_error(&["compare", "--warn", "lots", "a", "b"], dir.path());
    assert!(
        line.contains("lots") && line.contains("percentage"),
        "{line}"
    );
    let line = one_line_error(&["run", "--timeout=-1s", "--", "true"], dir.path());
    assert!(
        line.contains("\"-1s\" is negative; expected a duration"),
        "{line}"
    );
}

#[test]
fn unbalanced_quote() {
    let dir = tempfile::tempdir().unwrap();
    let line = one_line_error(&["run", "--", "echo 'oops"], dir.path());
    assert!(line.contains("echo 'oops"), "{line}");
}

#[test]
fn unreadable_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    good_run(dir.path(), "a.json");
    let line = one_line_error(&["compare", "a.json", "nope.json"], dir.path());
    assert!(line.starts_with("error: cannot read nope.json: "), "{line}");
}

#[test]
fn malformed_json_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    good_run(dir.path(), "a.json");
    let text = std::fs::read_to_string(dir.path().join("a.json")).unwrap();
    // Cut the file in the middle: truncated JSON.
    std::fs::write(dir.path().join("cut.json"), &text[..text.len() / 2]).unwrap();
    let line = one_line_error(&["compare", "a.json", "cut.json"], dir.path());
    assert!(line.starts_with("error: cut.json: "), "{line}");
    assert!(line.contains("line "), "{line}");

    std::fs::write(dir.path().join("junk.json"), "\u{0}\u{1}binary garbage").unwrap();
    let line = one_line_error(&["compare", "junk.json", "a.json"], dir.path());
    assert!(line.starts_with("error: junk.json: "), "{line}");
}

#[test]
fn wrong_schema_is_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    good_run(dir.path(), "a.json");
    std::fs::write(dir.path().join("other.json"), r#"{"rows": [{"x": 1}]}"#).unwrap();
    let line = one_line_error(&["compare", "other.json", "a.json"], dir.path());
    assert_eq!(
        line,
        "error: other.json: cannot tell which harness wrote this; benchgate reads go test -bench \
         text or -json, hyperfine, Google Benchmark, pytest-benchmark and benchgate JSON, libtest \
         bench lines and criterion directories (name the format with --adapter)"
    );
    // Forced to read it as benchgate's own format, it says what is missing.
    let line = one_line_error(
        &["compare", "--adapter", "benchgate", "other.json", "a.json"],
        dir.path(),
    );
    assert_eq!(
        line,
        "error: other.json: not a benchgate run: schema is missing, expected \"benchgate/run/v1\""
    );
    std::fs::write(
        dir.path().join("v9.json"),
        r#"{"schema": "benchgate/run/v9"}"#,
    )
    .unwrap();
    let line = one_line_error(&["compare", "v9.json", "a.json"], dir.path());
    assert!(line.contains(r#"schema is "benchgate/run/v9""#), "{line}");
}

#[test]
fn wrong_shape_names_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    good_run(dir.path(), "a.json");
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.json")).unwrap()).unwrap();
    run["benchmarks"][0]["metrics"][1]["samples"][1] = serde_json::json!("fast");
    std::fs::write(dir.path().join("bad.json"), run.to_string()).unwrap();
    let line = one_line_error(&["compare", "a.json", "bad.json"], dir.path());
    assert!(
        line.contains("$.benchmarks[0].metrics[1].samples[1]"),
        "{line}"
    );

    run["benchmarks"][0]["metrics"][1]["samples"][1] = serde_json::json!(1.0);
    run["benchmarks"][0]["surprise"] = serde_json::json!(true);
    std::fs::write(dir.path().join("bad.json"), run.to_string()).unwrap();
    let line = one_line_error(&["compare", "a.json", "bad.json"], dir.path());
    assert!(line.contains("surprise"), "{line}");

    // Semantically invalid: a duplicate benchmark name.
    run["benchmarks"][0]
        .as_object_mut()
        .unwrap()
        .remove("surprise");
    let first = run["benchmarks"][0].clone();
    run["benchmarks"].as_array_mut().unwrap().push(first);
    std::fs::write(dir.path().join("bad.json"), run.to_string()).unwrap();
    let line = one_line_error(&["compare", "a.json", "bad.json"], dir.path());
    assert!(
        line.contains("$.benchmarks[1].name: duplicate benchmark name"),
        "{line}"
    );
}

#[test]
fn export_to_an_unwritable_place_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let line = one_line_error(
        &[
            "run",
            "-q",
            "--runs",
            "2",
            "--export-json",
            "no/such/dir/x.json",
            "--",
            "true",
        ],
        dir.path(),
    );
    assert_eq!(
        line,
        "error: cannot write no/such/dir/x.json: directory no/such/dir does not exist"
    );
}

#[test]
fn judging_flags_are_checked_at_their_edges() {
    let dir = tempfile::tempdir().unwrap();
    good_run(dir.path(), "a.json");
    let compare = |extra: &[&str]| {
        let mut args = vec!["compare", "a.json", "a.json"];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let refused = |extra: &[&str]| {
        let args = compare(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        one_line_error(&args, dir.path())
    };
    // α lies strictly between 0 and 1.
    for alpha in ["0", "1", "2"] {
        assert_eq!(
            refused(&["--alpha", alpha]),
            format!("error: --alpha must be between 0 and 1 (exclusive), got {alpha}")
        );
    }
    // warn may equal fail, never exceed it; percentages print as given, not as 7.000000000000001.
    assert_eq!(
        refused(&["--warn", "7%", "--fail", "5%"]),
        "error: --warn (7%) is larger than --fail (5%)"
    );
    for accepted in [&["--warn", "10%", "--fail", "10%"][..], &["--alpha", "0.5"]] {
        let args = compare(accepted);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = benchgate(&args, dir.path());
        assert_eq!(out.status.code(), Some(0), "{accepted:?}: {}", stderr(&out));
    }
    assert_eq!(
        refused(&["--measure", ""]),
        "error: --measure: empty measure name"
    );
    // A missing argument is named on the one line.
    assert_eq!(
        one_line_error(&["history"], dir.path()),
        "error: the following required arguments were not provided: <BENCH> (see --help)"
    );
}

/// An error names its cause once: a directory given as the config file is not "Is a
/// directory (os error 21): Is a directory (os error 21)", and a store that cannot be opened
/// does not repeat SQLite's message.
#[test]
fn no_error_repeats_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("conf")).unwrap();
    std::fs::create_dir(d.join("store")).unwrap();
    let line = one_line_error(&["run", "--config", "conf"], d);
    assert_eq!(
        line,
        "error: cannot read conf: Is a directory (os error 21)"
    );
    let line = one_line_error(&["--db", "sqlite://store", "runs", "list"], d);
    assert_eq!(
        line,
        "error: cannot open the history store: SQLite store: cannot open store: unable to open database file: store"
    );
}

/// A count of zero, where only a positive count means anything, is refused.
#[test]
fn zero_limits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["history", "-n", "0", "a"][..],
        &["runs", "list", "-n", "0"],
    ] {
        let line = one_line_error(args, dir.path());
        assert!(line.contains("'0'") && line.contains("1.."), "{line}");
    }
}

/// The command line reads a threshold as `benchgate.toml` does: `5%` in both, and a bare
/// `0.05` (5 % or 0.05 %?) refused by both.
#[test]
fn thresholds_read_the_same_on_the_command_line_and_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good_run(d, "a.json");
    let line = one_line_error(&["compare", "--warn", "0.05", "a.json", "a.json"], d);
    assert_eq!(
        line,
        "error: invalid value '0.05' for '--warn <PERCENT>': \"0.05\" has no unit; write a \
         percentage such as \"5%\" (0.05 could mean 0.05 % or 5 %) (see --help)"
    );
    let line = one_line_error(&["compare", "--fail", "10", "a.json", "a.json"], d);
    assert!(line.contains("10 could mean 10 % or 1000 %"), "{line}");
    std::fs::write(d.join("bare.toml"), "[gate]\nwarn = 0.05\n").unwrap();
    let line = one_line_error(&["compare", "--config", "bare.toml", "a.json", "a.json"], d);
    assert!(
        line.starts_with(
            "error: bare.toml:2:8: [gate] `warn`: expected a percentage such as \"5%\""
        ),
        "{line}"
    );
    // The same 5 % either way.
    std::fs::write(d.join("five.toml"), "[gate]\nwarn = \"5%\"\n").unwrap();
    std::fs::write(d.join("none.toml"), "").unwrap();
    let from_file = benchgate(
        &[
            "compare",
            "--json",
            "--config",
            "five.toml",
            "a.json",
            "a.json",
        ],
        d,
    );
    let from_flag = benchgate(
        &[
            "compare",
            "--json",
            "--config",
            "none.toml",
            "--warn",
            "5%",
            "a.json",
            "a.json",
        ],
        d,
    );
    let warn = |out: &std::process::Output| -> f64 {
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["thresholds"]["warn"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(warn(&from_file), 0.05);
    assert_eq!(warn(&from_flag), 0.05);
}

/// A zero (or rounding-to-zero) --max-time or --timeout is refused, on the command line and in
/// the file (with its line), before anything runs.
#[test]
fn zero_durations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (flag, value) in [
        ("--max-time", "0s"),
        ("--timeout", "0ms"),
        ("--timeout", "1e-300s"),
    ] {
        let line = one_line_error(&["run", flag, value, "--", "true"], d);
        assert!(
            line.contains(&format!("for '{flag} <DURATION>'"))
                && line.contains("must be longer than zero"),
            "{line}"
        );
    }
    let line = one_line_error(&["run", "--max-time", "20", "--", "true"], d);
    assert!(
        line.contains("\"20\" is a plain number; expected a duration"),
        "{line}"
    );
    std::fs::write(
        d.join("benchgate.toml"),
        "[[bench]]\nname = \"t\"\ncommand = \"true\"\ntimeout = \"1e-300s\"\n",
    )
    .unwrap();
    let line = one_line_error(&["run"], d);
    assert_eq!(
        line,
        "error: benchgate.toml:4:11: [[bench]] #1 `timeout`: is shorter than 1ns, the smallest duration"
    );
}

/// The sampling flags `run` and `ab` share keep each command's limits: `ab` samples pairs, at least
/// 6, and has no --precision; `run`'s --runs excludes --precision.
#[test]
fn shared_sampling_flags_keep_each_commands_limits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ab = |flags: &[&str]| {
        let mut args = vec!["ab", "--base", "true", "--head", "true"];
        args.extend(flags);
        one_line_error(&args, d)
    };
    for flag in ["--runs", "--min-runs", "--max-runs"] {
        let line = ab(&[flag, "5"]);
        assert!(
            line.contains(&format!("invalid value '5' for '{flag} <N>'"))
                && line.contains("5 is not in 6.."),
            "{line}"
        );
    }
    let line = ab(&["--runs", "6", "--min-runs", "6"]);
    assert!(
        line.contains("'--runs <N>'") && line.contains("'--min-runs <N>'"),
        "{line}"
    );
    let line = ab(&["--precision", "1%"]);
    assert!(line.contains("unexpected argument '--precision'"), "{line}");
    let line = one_line_error(
        &["run", "--runs", "3", "--precision", "1%", "--", "true"],
        d,
    );
    assert!(
        line.contains("'--runs <N>'") && line.contains("'--precision <PERCENT>'"),
        "{line}"
    );
    let line = one_line_error(&["run", "--runs", "0", "--", "true"], d);
    assert!(line.contains("0 is not in 1.."), "{line}");
}

/// Flags that contradict each other are a usage error naming both, not one silently winning.
#[test]
fn conflicting_flags_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line = one_line_error(&["run", "--runs", "3", "--min-runs", "5", "--", "true"], d);
    assert_eq!(
        line,
        "error: the argument '--runs <N>' cannot be used with '--min-runs <N>' (see --help)"
    );
    let line = one_line_error(&["run", "--runs", "3", "--max-runs", "5", "--", "true"], d);
    assert!(
        line.contains("'--runs <N>'") && line.contains("'--max-runs <N>'"),
        "{line}"
    );
    good_run(d, "a.json");
    for args in [
        &["--json", "compare", "--format", "md", "a.json", "a.json"][..],
        &[
            "compare", "--format", "markdown", "--json", "a.json", "a.json",
        ],
    ] {
        let line = one_line_error(args, d);
        assert!(
            line.starts_with("error: --json and --format m")
                && line.ends_with("ask for two output formats; give one (see --help)"),
            "{line}"
        );
    }
    // The same format twice is no conflict.
    let out = benchgate(
        &["--json", "compare", "--format", "json", "a.json", "a.json"],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A `{name}` placeholder that names no parameter is an error naming it; `{{x}}` is a literal
/// `{x}`, and braces that are not placeholders (`{}`, `${HOME}`, `{print $1}`) are kept.
#[test]
fn an_undefined_placeholder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line = one_line_error(&["run", "--runs", "2", "--", "echo {x}"], d);
    assert_eq!(
        line,
        "error: `echo {x}`: placeholder {x} names no parameter (define a parameter x, or write \
         {{x}} for a literal {x})"
    );
    let line = one_line_error(
        &[
            "run",
            "--runs",
            "2",
            "-L",
            "t",
            "1,2",
            "--",
            "sleep 0.{t}{typo}",
        ],
        d,
    );
    assert!(
        line.contains("placeholder {typo} names no parameter"),
        "{line}"
    );
    let out = benchgate(
        &[
            "run",
            "-q",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--export-json",
            "r.json",
            "--",
            "printf %s {{x}} ${HOME} {} '{print $1}'",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = common::read_json(&d.join("r.json"));
    assert_eq!(
        run["benchmarks"][0]["name"],
        "printf %s {x} ${HOME} {} '{print $1}'"
    );
}

/// `--input DIR` is a usage error before anything runs, not a failure of every run (exit 3).
#[test]
fn input_that_is_a_directory_is_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("inputs")).unwrap();
    let line = one_line_error(
        &[
            "run",
            "--runs",
            "2",
            "--input",
            "inputs",
            "--export-json",
            "x.json",
            "--",
            "cat",
        ],
        d,
    );
    assert_eq!(
        line,
        "error: --input inputs: is a directory; expected a file to feed to standard input"
    );
    assert!(!d.join("x.json").exists());
    let line = one_line_error(
        &["run", "--runs", "2", "--input", "missing", "--", "cat"],
        d,
    );
    assert!(
        line.starts_with("error: cannot read --input missing: "),
        "{line}"
    );
}

/// A write that fails names the file asked for, never the random temporary file beside it.
#[test]
fn errors_name_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good_run(d, "a.json");
    // Nobody, root included, creates files in /proc.
    let out = benchgate(
        &[
            "compare",
            "--export-json",
            "/proc/benchgate-x.json",
            "a.json",
            "a.json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error: cannot write /proc/benchgate-x.json: No such file or directory (os error 2)\n"
        ),
        "{err}"
    );
    assert!(!err.contains(".benchgate-"), "{err}");
    std::fs::write(
        d.join("ok.toml"),
        "[[bench]]\nname = \"t\"\ncommand = \"true\"\n",
    )
    .unwrap();
    let line = one_line_error(
        &[
            "--db",
            "sqlite:///proc/benchgate/h.db",
            "run",
            "--config",
            "ok.toml",
        ],
        d,
    );
    assert!(
        line.starts_with(
            "error: cannot open the history store: /proc/benchgate/h.db: /proc is not writable ("
        ),
        "{line}"
    );
    assert!(!line.contains(".benchgate-probe"), "{line}");
}

/// `import` of another harness's output says that `ingest` reads it.
#[test]
fn import_of_another_format_points_to_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("old.txt"), "BenchmarkX-2   \t100\t  10.0 ns/op\n").unwrap();
    let line = one_line_error(&["import", "old.txt"], d);
    assert_eq!(
        line,
        "error: old.txt: this is go output, not a benchgate run file; `benchgate ingest old.txt` reads it"
    );
    std::fs::write(d.join("x.json"), "{\"a\": 1}").unwrap();
    let line = one_line_error(&["import", "x.json"], d);
    assert!(
        line.starts_with("error: x.json: not a benchgate run file (")
            && line.ends_with("; `benchgate ingest` reads other harnesses' output"),
        "{line}"
    );
}

/// Impossible values are refused with the file and where in it, exit 2, and nothing is stored:
/// whichever way they come in (import of a run, ingest of a harness's file).
#[test]
fn impossible_values_are_refused_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    good_run(dir.path(), "a.json");
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.json")).unwrap()).unwrap();
    type Spoil = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: [(&str, Spoil, &str); 4] = [
        (
            "negative.json",
            Box::new(|run| run["benchmarks"][0]["metrics"][0]["samples"][0] = (-5.0).into()),
            "negative.json: $.benchmarks[0].metrics[0].samples[0]: -5 is negative",
        ),
        (
            "backwards.json",
            Box::new(|run| run["ended_at"] = "2000-01-01T00:00:00Z".into()),
            "backwards.json: $.ended_at: the run ends (2000-01-01T00:00:00Z) before it starts",
        ),
        (
            "parsecs.json",
            Box::new(|run| run["benchmarks"][0]["metrics"][0]["unit"] = "parsecs".into()),
            "parsecs.json: $.benchmarks[0].metrics[0].unit: unit \"parsecs\" for wall_time: \
             expected \"ns\"",
        ),
        (
            "empty.json",
            Box::new(|run| run["benchmarks"] = serde_json::json!([])),
            "empty.json: $.benchmarks: no benchmarks: a run holds at least one",
        ),
    ];
    for (file, spoil, expected) in cases {
        let mut run = good.clone();
        spoil(&mut run);
        std::fs::write(dir.path().join(file), run.to_string()).unwrap();
        let line = one_line_error(&["import", file], dir.path());
        assert!(line.starts_with(&format!("error: {expected}")), "{line}");
    }

    std::fs::write(
        dir.path().join("hyperfine.json"),
        r#"{"results": [{"command": "sleep 0.1", "mean": -0.1, "stddev": 0, "median": -0.1,
            "user": 0.001, "system": 0.001, "min": -0.1, "max": -0.1,
            "times": [-0.1, -0.1, -0.1], "exit_codes": [0, 0, 0]}]}"#,
    )
    .unwrap();
    assert_eq!(
        one_line_error(&["ingest", "hyperfine.json"], dir.path()),
        "error: hyperfine.json: $.results[0].times[0]: -100000000 is negative: wall_time in ns \
         cannot be"
    );
    std::fs::write(
        dir.path().join("go.txt"),
        "goos: linux\nBenchmarkA-2 \t 100\t 5 ns/op\nBenchmarkB-2 \t 100\t NaN ns/op\n",
    )
    .unwrap();
    assert_eq!(
        one_line_error(&["ingest", "go.txt"], dir.path()),
        "error: go.txt: line 3: BenchmarkB-2: NaN ns/op is not a possible value (expected a \
         finite number, not negative)"
    );
    assert!(!dir.path().join(".benchgate/history.db").exists());
}

/// Parameter products are refused before expanding (two scans of 100 000 once took 9 GB), and
/// a name expansion gives twice is refused when the file loads, before anything runs.
#[test]
fn parameter_products_and_duplicate_names_are_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let line = one_line_error(
        &[
            "run",
            "--parameter-scan",
            "a",
            "1",
            "100000",
            "--parameter-scan",
            "b",
            "1",
            "100000",
            "--",
            "echo {a} {b}",
        ],
        dir.path(),
    );
    assert_eq!(
        line,
        "error: the parameters' values multiply out to 10000000000 benchmarks; the limit is \
         100000 (use fewer values)"
    );
    // The first bench would take seconds; the duplicate is found before it runs.
    std::fs::write(
        dir.path().join("benchgate.toml"),
        "[defaults]\nruns = 2\n\n[[bench]]\nname = \"a\"\ncommand = \"sleep 5\"\n\
         params = { x = [1, 2] }\n\n[[bench]]\nname = \"a/x=1\"\ncommand = \"true\"\n",
    )
    .unwrap();
    assert_eq!(
        one_line_error(&["run"], dir.path()),
        "error: benchgate.toml:10:8: [[bench]] #2 `name`: expands to \"a/x=1\", which \
         [[bench]] #1 (line 7) already names"
    );
    assert!(!dir.path().join(".benchgate").exists());
}
