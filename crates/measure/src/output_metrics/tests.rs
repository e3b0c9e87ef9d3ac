//! Exact values and exact messages for metrics read from output.

use super::*;

fn define(name: &str, selector: Selector) -> MetricDefinition {
    match MetricDefinition::new(
        name,
        selector,
        MetricUnit::as_printed("count"),
        Better::Lower,
    ) {
        Ok(d) => d,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn json(name: &str, path: &str) -> MetricDefinition {
    define(name, Selector::Json(path.into()))
}

fn regex(name: &str, pattern: &str) -> MetricDefinition {
    define(name, Selector::Regex(pattern.into()))
}

fn value(definition: &MetricDefinition, output: &str) -> f64 {
    match definition.extract(output) {
        Ok(v) => v,
        Err(e) => panic!("{}: {e}", definition.name()),
    }
}

fn failure(definition: &MetricDefinition, output: &str) -> String {
    match definition.extract(output) {
        Ok(v) => panic!("{}: expected an error, got {v}", definition.name()),
        Err(e) => e.to_string(),
    }
}

fn definition_error(selector: Selector) -> String {
    match MetricDefinition::new(
        "m",
        selector,
        MetricUnit::as_printed("count"),
        Better::Lower,
    ) {
        Ok(d) => panic!("expected an error, got {d:?}"),
        Err(e) => e.to_string(),
    }
}

fn path_error(path: &str) -> String {
    definition_error(Selector::Json(path.into()))
}

fn check(path: &str, equals: Expected) -> OutputCheck {
    match OutputCheck::new(path, equals) {
        Ok(c) => c,
        Err(e) => panic!("{path}: {e}"),
    }
}

fn check_failure(check: &OutputCheck, output: &str) -> String {
    match check.evaluate(output) {
        Ok(()) => panic!("expected {check:?} to fail on {output:?}"),
        Err(e) => e.to_string(),
    }
}

const NESTED: &str = r#"{
  "tps": 10234.5,
  "stats": { "commit": { "p95_ms": 12.25 } },
  "runs": [ { "ms": 3 }, { "ms": 4.5 } ],
  "x y": 7,
  "boot-ms": 1800,
  "q'uote": 2,
  "ok": true,
  "status": "ok",
  "code": 0
}
"#;

#[test]
fn json_values_at_nested_paths() {
    let cases = [
        ("$.tps", 10234.5),
        ("$.stats.commit.p95_ms", 12.25),
        ("$['stats']['commit'][\"p95_ms\"]", 12.25),
        ("$.runs[0].ms", 3.0),
        ("$.runs[1].ms", 4.5),
        ("$.runs[-1].ms", 4.5),
        ("$.runs[-2].ms", 3.0),
        ("$.runs[ 1 ].ms", 4.5),
        ("$[\"x y\"]", 7.0),
        ("$['x y']", 7.0),
        ("$[ \"x\\u0020y\" ]", 7.0),
        ("$.boot-ms", 1800.0),
        ("$[\"q'uote\"]", 2.0),
        ("$['q\\'uote']", 2.0),
        ("$.code", 0.0),
    ];
    for (path, expected) in cases {
        assert_eq!(value(&json("m", path), NESTED), expected, "{path}");
    }
    // `$` is the whole document: a command that prints one number.
    assert_eq!(value(&json("m", "$"), "42.5\n"), 42.5);
}

#[test]
fn regex_values_are_the_first_match_of_the_capture_group() {
    let output = "warming up\ncommit took 12.5 ms\ncommit took 99 ms\n";
    assert_eq!(
        value(&regex("commit", r"commit took ([0-9.]+) ms"), output),
        12.5
    );
    // With several groups, the one named `value`.
    assert_eq!(
        value(
            &regex("commit", r"(?P<what>\w+) took (?P<value>[0-9.]+) ms"),
            output
        ),
        12.5
    );
    // Else the first; spaces around the captured number do not matter.
    assert_eq!(
        value(&regex("commit", r"took(\s*[0-9.]+\s*)ms(\s)"), output),
        12.5
    );
    assert_eq!(value(&regex("tps", r"tps=(\S+)"), "tps=1.5e3 ok\n"), 1500.0);
    // A regex needs no JSON: the output is text.
    assert_eq!(value(&regex("n", r"n: (-?\d+)"), "n: -7"), -7.0);
}

#[test]
fn several_metrics_in_their_units_with_a_check() {
    let tps = match MetricDefinition::new(
        "tps",
        Selector::Json("$.tps".into()),
        MetricUnit::as_printed("tx/s"),
        Better::Higher,
    ) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    // Printed in milliseconds, kept in nanoseconds.
    let commit = match MetricDefinition::new(
        "commit",
        Selector::Regex(r#""p95_ms": ([0-9.]+)"#.into()),
        MetricUnit {
            unit: "ns".into(),
            scale: 1e6,
        },
        Better::Lower,
    ) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(tps.better(), Better::Higher);
    assert_eq!(commit.unit().unit, "ns");
    let spec = OutputSpec {
        metrics: vec![tps, commit, json("first_run", "$.runs[0].ms")],
        check: Some(check("$.ok", Expected::Bool(true))),
        file: None,
    };
    assert!(!spec.is_empty());
    assert_eq!(spec.read(NESTED), Ok(vec![10234.5, 12_250_000.0, 3.0]));
    assert!(OutputSpec::default().is_empty());
    assert_eq!(OutputSpec::default().read(""), Ok(vec![]));
}

#[test]
fn a_missing_value_names_the_metric_and_the_path() {
    assert_eq!(
        failure(&json("tps", "$.tps"), r#"{"tpss": 1}"#),
        "metric \"tps\": $.tps is missing from the output"
    );
    assert_eq!(
        failure(&json("third", "$.runs[2].ms"), NESTED),
        "metric \"third\": $.runs[2].ms is missing from the output"
    );
    assert_eq!(
        failure(&json("deep", "$.tps.value"), NESTED),
        "metric \"deep\": $.tps.value is missing from the output"
    );
    assert_eq!(
        failure(&json("index_of_object", "$.stats[0]"), NESTED),
        "metric \"index_of_object\": $.stats[0] is missing from the output"
    );
}

#[test]
fn a_value_that_is_not_a_number_is_shown() {
    assert_eq!(
        failure(&json("tps", "$.tps"), r#"{"tps": "fast"}"#),
        "metric \"tps\": $.tps is \"fast\", not a number"
    );
    assert_eq!(
        failure(&json("tps", "$.tps"), r#"{"tps": null}"#),
        "metric \"tps\": $.tps is null, not a number"
    );
    assert_eq!(
        failure(&json("tps", "$.tps"), r#"{"tps": "12.5"}"#),
        "metric \"tps\": $.tps is \"12.5\", not a number"
    );
    assert_eq!(
        failure(&json("commit", "$.stats.commit"), NESTED),
        "metric \"commit\": $.stats.commit is {\"p95_ms\":12.25}, not a number"
    );
    let long = format!(r#"{{"tps": "{}"}}"#, "x".repeat(100));
    assert_eq!(
        failure(&json("tps", "$.tps"), &long),
        format!(
            "metric \"tps\": $.tps is \"{}…, not a number",
            "x".repeat(59)
        )
    );
}

#[test]
fn output_that_is_not_json_empty_or_too_large() {
    assert_eq!(
        failure(&json("tps", "$.tps"), "tps=5\n"),
        "metric \"tps\": the output is not JSON (expected ident at line 1 column 2)"
    );
    assert_eq!(
        failure(&json("tps", "$.tps"), "starting\n{\"tps\": 5}\n"),
        "metric \"tps\": the output is not JSON (expected value at line 1 column 1)"
    );
    assert_eq!(
        failure(&json("tps", "$.tps"), "{\"tps\": 5}\n{\"tps\": 6}\n"),
        "metric \"tps\": the output is not JSON (trailing characters at line 2 column 1)"
    );
    assert_eq!(
        failure(&json("tps", "$.tps"), " \n"),
        "metric \"tps\": the output is empty"
    );
    assert_eq!(
        failure(&regex("commit", r"took (\d+)"), ""),
        "metric \"commit\": the output is empty"
    );
    let huge = format!("took 5 {}", " ".repeat(MAX_OUTPUT_BYTES));
    assert_eq!(
        failure(&regex("commit", r"took (\d+)"), &huge),
        format!(
            "metric \"commit\": the output is {} bytes, more than the 1048576 read for metrics",
            MAX_OUTPUT_BYTES + 7
        )
    );
}

#[test]
fn regex_failures_name_the_pattern() {
    assert_eq!(
        failure(
            &regex("commit", r"commit took ([0-9.]+) ms"),
            "commit failed\n"
        ),
        "metric \"commit\": regex 'commit took ([0-9.]+) ms' matches nothing in the output"
    );
    assert_eq!(
        failure(
            &regex("commit", r"took (?:([0-9.]+) ms|forever)"),
            "it took forever\n"
        ),
        "metric \"commit\": regex 'took (?:([0-9.]+) ms|forever)' matched \"took forever\" but \
         its capture group 1 took no part in the match"
    );
    assert_eq!(
        failure(
            &regex("commit", r"took (?P<value>\d+)?\s*(ms|forever)"),
            "took forever"
        ),
        "metric \"commit\": regex 'took (?P<value>\\d+)?\\s*(ms|forever)' matched \"took \
         forever\" but its capture group \"value\" took no part in the match"
    );
    assert_eq!(
        failure(&regex("commit", r"took (\S+) ms"), "took fast ms"),
        "metric \"commit\": regex 'took (\\S+) ms' captured \"fast\", not a number"
    );
    // Rust would parse these; a metric must be finite.
    assert_eq!(
        failure(&regex("commit", r"took (\S+) ms"), "took inf ms"),
        "metric \"commit\": regex 'took (\\S+) ms' captured \"inf\", not a number"
    );
    assert_eq!(
        failure(&regex("commit", r"took (\S+) ms"), "took NaN ms"),
        "metric \"commit\": regex 'took (\\S+) ms' captured \"NaN\", not a number"
    );
}

#[test]
fn a_value_out_of_range_once_scaled_fails() {
    let commit = match MetricDefinition::new(
        "commit",
        Selector::Json("$.ms".into()),
        MetricUnit {
            unit: "ns".into(),
            scale: 1e6,
        },
        Better::Lower,
    ) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        failure(&commit, r#"{"ms": 1e308}"#),
        "metric \"commit\": 1e+308 is out of range in ns"
    );
    assert_eq!(value(&commit, r#"{"ms": 2.5}"#), 2_500_000.0);
}

#[test]
fn invalid_json_paths_are_refused_when_defined() {
    let cases = [
        (
            "tps",
            "'tps' is not a JSON path: it must start with \"$\" (as in \"$.tps\")",
        ),
        (
            "",
            "'' is not a JSON path: it must start with \"$\" (as in \"$.tps\")",
        ),
        (
            "$.",
            "'$.' is not a JSON path: expected a member name after \".\" at character 2",
        ),
        (
            "$.a.[0]",
            "'$.a.[0]' is not a JSON path: expected a member name after \".\" at character 4",
        ),
        (
            "$.a b",
            "'$.a b' is not a JSON path: expected \".\" or \"[\" at character 4, found ' '",
        ),
        (
            "$.a[",
            "'$.a[' is not a JSON path: unclosed \"[\" at character 4",
        ),
        (
            "$.a[0",
            "'$.a[0' is not a JSON path: unclosed \"[\" at character 4",
        ),
        (
            "$[\"a]",
            "'$[\"a]' is not a JSON path: unclosed quote at character 3 (close it with \")",
        ),
        (
            "$['a\\x']",
            "\"$['a\\\\x']\" is not a JSON path: invalid escape at character 5",
        ),
        (
            "$[tps]",
            "'$[tps]' is not a JSON path: expected an index or a quoted name at character 3, \
             found 't'",
        ),
        (
            "$.a[0 1]",
            "'$.a[0 1]' is not a JSON path: expected \"]\" at character 7, found '1'",
        ),
        (
            "$.a[-]",
            "'$.a[-]' is not a JSON path: expected an index after \"-\" at character 5",
        ),
        (
            "$.a[99999999999999999999]",
            "'$.a[99999999999999999999]' is not a JSON path: index 99999999999999999999 is too \
             large",
        ),
    ];
    for (path, message) in cases {
        assert_eq!(path_error(path), message, "{path}");
    }
    // Anything that selects several values.
    for (path, at) in [
        ("$.*", 3),
        ("$..tps", 3),
        ("$.runs[*].ms", 8),
        ("$.runs[0:2]", 9),
        ("$.runs[0,1]", 9),
        ("$.runs[?@.ms > 1]", 8),
    ] {
        assert_eq!(
            path_error(path),
            format!(
                "'{path}' is not a JSON path: wildcards, \"..\", filters and slices at character \
                 {at} select several values; a metric is one value"
            ),
            "{path}"
        );
    }
    // The check's path is held to the same rules.
    assert_eq!(
        OutputCheck::new("ok", Expected::Bool(true)).map_err(|e| e.to_string()),
        Err("'ok' is not a JSON path: it must start with \"$\" (as in \"$.tps\")".to_string())
    );
}

#[test]
fn invalid_regexes_are_refused_when_defined() {
    assert_eq!(
        definition_error(Selector::Regex("commit took ([0-9.]+ ms".into())),
        "invalid regex 'commit took ([0-9.]+ ms': unclosed group"
    );
    assert_eq!(
        definition_error(Selector::Regex("took (?P<value[0-9]+)".into())),
        "invalid regex 'took (?P<value[0-9]+)': invalid capture group character"
    );
    assert_eq!(
        definition_error(Selector::Regex("commit took [0-9.]+ ms".into())),
        "regex 'commit took [0-9.]+ ms' has no capture group for the value (put the number in \
         parentheses, as in 'took ([0-9.]+) ms')"
    );
    // Bounded size: a pattern that would compile to megabytes is refused.
    assert_eq!(
        definition_error(Selector::Regex(r"(\w{1000}){1000}".into())),
        "invalid regex '(\\w{1000}){1000}': it compiles to more than 1048576 bytes (the limit; \
         simplify it)"
    );
    // A pattern holding a quote is shown escaped.
    assert_eq!(
        definition_error(Selector::Regex("it's ([0-9]+".into())),
        "invalid regex \"it's ([0-9]+\": unclosed group"
    );
}

#[test]
fn invalid_names_and_scales_are_refused() {
    assert_eq!(
        definition_error_named("", Selector::Json("$.a".into())),
        "a metric needs a name"
    );
    assert_eq!(
        definition_error_named("commit time", Selector::Json("$.a".into())),
        "metric name \"commit time\" may only hold letters, digits, \"_\", \"-\" and \".\""
    );
    for scale in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let result = MetricDefinition::new(
            "m",
            Selector::Json("$.a".into()),
            MetricUnit {
                unit: "ns".into(),
                scale,
            },
            Better::Lower,
        );
        assert_eq!(
            result.map_err(|e| e.to_string()),
            Err(format!("scale {scale} is not a finite positive number"))
        );
    }
}

fn definition_error_named(name: &str, selector: Selector) -> String {
    match MetricDefinition::new(name, selector, MetricUnit::as_printed("ns"), Better::Lower) {
        Ok(d) => panic!("expected an error, got {d:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_check_passes_and_fails_with_a_message() {
    let ok = check("$.ok", Expected::Bool(true));
    assert_eq!(ok.evaluate(NESTED), Ok(()));
    assert_eq!(ok.evaluate(r#"{"ok": true, "tps": "n/a"}"#), Ok(()));
    assert_eq!(
        check_failure(&ok, r#"{"ok": false}"#),
        "output check failed: $.ok is false, expected true"
    );
    assert_eq!(
        check_failure(&ok, r#"{"done": true}"#),
        "output check failed: $.ok is missing from the output"
    );
    assert_eq!(
        check_failure(&ok, "error: disk full\n"),
        "output check failed: the output is not JSON (expected value at line 1 column 1)"
    );
    assert_eq!(
        check_failure(&ok, ""),
        "output check failed: the output is empty"
    );
    assert_eq!(
        check_failure(&ok, r#"{"ok": "true"}"#),
        "output check failed: $.ok is \"true\", expected true"
    );

    let status = check("$.status", Expected::String("ok".into()));
    assert_eq!(status.evaluate(NESTED), Ok(()));
    assert_eq!(
        check_failure(&status, r#"{"status": "error"}"#),
        "output check failed: $.status is \"error\", expected \"ok\""
    );

    // Numbers compare as numbers: 0 equals 0.0, and a string is not a number.
    let code = check("$.code", Expected::Number(0.0));
    assert_eq!(code.evaluate(NESTED), Ok(()));
    assert_eq!(code.evaluate(r#"{"code": 0.0}"#), Ok(()));
    assert_eq!(
        check_failure(&code, r#"{"code": 1}"#),
        "output check failed: $.code is 1, expected 0"
    );
    assert_eq!(
        check_failure(
            &check("$.code", Expected::Number(1.5)),
            r#"{"code": "1.5"}"#
        ),
        "output check failed: $.code is \"1.5\", expected 1.5"
    );
}

#[test]
fn a_failed_check_fails_the_run_before_any_metric() {
    let spec = OutputSpec {
        metrics: vec![json("tps", "$.tps")],
        check: Some(check("$.ok", Expected::Bool(true))),
        file: None,
    };
    // The metric is missing too; the output saying the run failed is what counts.
    assert_eq!(
        spec.read(r#"{"ok": false, "error": "disk full"}"#),
        Err(OutputError::Check {
            problem: Problem::NotEqual {
                path: "$.ok".into(),
                found: "false".into(),
                expected: "true".into(),
            }
        })
    );
    assert_eq!(
        spec.read(r#"{"ok": true}"#),
        Err(OutputError::Metric {
            metric: "tps".into(),
            problem: Problem::Missing {
                path: "$.tps".into()
            },
        })
    );
    assert_eq!(spec.read(r#"{"ok": true, "tps": 5}"#), Ok(vec![5.0]));
}

#[test]
fn definitions_compare_as_written_and_keep_what_was_written() {
    let a = regex("commit", r"took (\d+) ms");
    assert_eq!(a, regex("commit", r"took (\d+) ms"));
    assert_ne!(a, regex("commit", r"took (\d+)ms"));
    assert_eq!(a.selector(), &Selector::Regex(r"took (\d+) ms".into()));
    assert_eq!(a.name(), "commit");
    let c = check("$.ok", Expected::Bool(true));
    assert_eq!(c.path().as_str(), "$.ok");
    assert_eq!(c.equals(), &Expected::Bool(true));
    assert_eq!(Better::parse("higher"), Some(Better::Higher));
    assert_eq!(Better::parse("lower"), Some(Better::Lower));
    assert_eq!(Better::parse("up"), None);
    assert_eq!(Better::Higher.as_str(), "higher");
}
