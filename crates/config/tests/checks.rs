//! `[[check]]` entries: the documented example loads into its checks, and every mistake is an
//! error at its line and column.

use benchgate_config::Config;
use benchgate_model::{Measure, Severity};

fn error(text: &str) -> String {
    match Config::parse(text, "benchgate.toml") {
        Ok(config) => panic!("expected an error, got {:#?}", config.checks),
        Err(e) => e.to_string(),
    }
}

/// The example of docs/checks.md loads into its six checks.
#[test]
fn the_documented_checks_load() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/checks.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let example = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|block| block.split("```").next())
        .unwrap();
    let config = Config::parse(example, "checks.md").unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = config.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "warm restore is 50x faster",
            "steps scale linearly",
            "encode scales to 4 CPUs",
            "backend calls per cleanup",
            "fast steps scale linearly",
            "encode scales on linux"
        ]
    );
    assert_eq!(config.checks[4].filter, None);
    assert_eq!(config.checks[5].filter.as_deref(), Some("goos:linux"));
    let selections: Vec<(&str, Option<&str>)> = config.checks[4]
        .expr
        .selections()
        .into_iter()
        .map(|(s, by)| (s.text.as_str(), by.map(|b| b.text.as_str())))
        .collect();
    assert_eq!(selections, [(".name:steps /mode:fast", Some("/n"))]);
    assert_eq!(config.checks[0].measure, Measure::WallTime);
    assert_eq!(config.checks[0].severity, Severity::Fail);
    assert_eq!(config.checks[3].severity, Severity::Warn);
    assert_eq!(
        config.checks[0].expr.text,
        "\"restore/cold\" / \"restore/warm\" >= 50"
    );
}

#[test]
fn a_check_s_measure_is_read() {
    let config = Config::parse(
        "[[check]]\nname = \"rss\"\nexpr = '\"a\" < 64MiB'\nmeasure = \"max_rss\"\n",
        "benchgate.toml",
    )
    .unwrap();
    assert_eq!(config.checks[0].measure, Measure::MaxRss);
}

#[test]
fn mistakes_are_errors_at_their_place() {
    assert_eq!(
        error("[[check]]\nname = \"x\"\nexpr = '\"a\" >> 2'\n"),
        "benchgate.toml:3:14: [[check]] #1 `expr`: at column 6: expected a number, a \"benchmark\" \
         or a function, found >"
    );
    // In a basic string with escapes the column is the expression's; the place, the string's.
    assert_eq!(
        error("[[check]]\nname = \"x\"\nexpr = \"\\\"a\\\" >= 2 ms2\"\n"),
        "benchgate.toml:3:8: [[check]] #1 `expr`: at column 10: expected the end of the check, \
         found ms2"
    );
    assert_eq!(
        error("[[check]]\nname = \"x\"\n"),
        "benchgate.toml:1:1: [[check]] #1: missing required key `expr`"
    );
    assert_eq!(
        error("[[check]]\nexpr = '\"a\" > 1'\n"),
        "benchgate.toml:1:1: [[check]] #1: missing required key `name`"
    );
    assert_eq!(
        error(
            "[[check]]\nname = \"x\"\nexpr = '\"a\" > 1'\n[[check]]\nname = \"x\"\nexpr = '\"b\" > 1'\n"
        ),
        "benchgate.toml:5:8: [[check]] #2 `name`: duplicate check name \"x\""
    );
    assert_eq!(
        error("[[check]]\nname = \"x\"\nexpr = '\"a\" > 1'\nmeasure = \"wall_tme\"\n"),
        "benchgate.toml:4:11: [[check]] #1 `measure`: unknown measure \"wall_tme\" (did you mean \
         \"wall_time\"?)"
    );
    assert_eq!(
        error("[check]\nname = \"x\"\n"),
        "benchgate.toml:1:1: `check`: expected an array of tables [[check]], found table"
    );
    let many: String = (0..257)
        .map(|i| format!("[[check]]\nname = \"c{i}\"\nexpr = '\"a\" > {i}'\n"))
        .collect();
    assert!(
        error(&many).ends_with("`check`: 257 checks; at most 256"),
        "{}",
        error(&many)
    );
}

#[test]
fn a_check_s_filter_and_selections_load() {
    let config = Config::parse(
        "[[check]]\nname = \"linux scales\"\nexpr = 'efficiency({.name:Encode}, by: /procs) >= 0.7'\nfilter = \"goos:linux\"\n",
        "benchgate.toml",
    )
    .unwrap();
    assert_eq!(config.checks[0].filter.as_deref(), Some("goos:linux"));
    assert_eq!(config.checks[0].expr.selections().len(), 1);
    let config = Config::parse(
        "[[check]]\nname = \"x\"\nexpr = '\"a\" > 1'\n",
        "benchgate.toml",
    )
    .unwrap();
    assert_eq!(config.checks[0].filter, None);
}

#[test]
fn a_bad_filter_or_selection_is_refused_at_its_character() {
    assert_eq!(
        error("[[check]]\nname = \"x\"\nexpr = '\"a\" > 1'\nfilter = 'goos:(linux'\n"),
        "benchgate.toml:4:22: [[check]] #1 `filter`: at character 12: expected OR or ) in a \
         value list"
    );
    assert_eq!(
        error("[[check]]\nname = \"x\"\nexpr = '\"a\" > 1'\nfilter = \"-.file:a.json\"\n"),
        "benchgate.toml:4:12: [[check]] #1 `filter`: at character 2: .file names an input of \
         compare or report; a check reads one run"
    );
    let long = format!(
        "[[check]]\nname = \"x\"\nexpr = '\"a\" > 1'\nfilter = '{}'\n",
        "x:y ".repeat(251)
    );
    assert_eq!(
        error(&long),
        "benchgate.toml:4:1011: [[check]] #1 `filter`: at character 1001: longer than 1000 \
         characters (1004)"
    );
    assert_eq!(
        error("[[check]]\nname = \"x\"\nexpr = 'r2({.nme:x}, by: /n) >= 1'\n"),
        "benchgate.toml:3:13: [[check]] #1 `expr`: at column 5: in the selection {.nme:x}: \
         unknown key \".nme\": expected .name, .fullname, .file, .config, .unit, .measure, \
         /PARAM or a label"
    );
    assert_eq!(
        error("[[check]]\nname = \"x\"\nexpr = 'r2({.name:x}, by: .unit) >= 1'\n"),
        "benchgate.toml:3:27: [[check]] #1 `expr`: at column 19: by: .unit: expected a \
         parameter (/n) or a label (concurrency) whose values are numbers, found .unit"
    );
    assert_eq!(
        error("[[check]]\nname = \"x\"\nexpr = 'r2({.name:x}) >= 1'\n"),
        "benchgate.toml:3:21: [[check]] #1 `expr`: at column 13: r2 over a {selection} needs \
         by: KEY, the parameter it orders the benchmarks by (e.g. r2({.name:steps}, by: /n))"
    );
}
