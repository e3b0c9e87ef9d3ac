//! `compare` and `report` with projections, as benchstat has them (`--filter`, `--row`,
//! `--col`, `--table`, `--ignore`), end to end on Go benchmark text with `/size=`
//! sub-benchmarks and configuration lines.

use std::path::Path;

mod common;
use common::{benchgate, stderr, stdout, write};

/// Go output of `Encode/size=…` and `Decode/size=…`, 8 results each; `scale` multiplies
/// Encode's times (a regression of Encode only).
fn go_text(goos: &str, note: Option<&str>, encode_scale: f64) -> String {
    let mut lines = vec![
        format!("goos: {goos}"),
        "goarch: amd64".to_string(),
        "pkg: example.com/enc".to_string(),
        "cpu: Test CPU @ 2.00GHz".to_string(),
    ];
    if let Some(note) = note {
        lines.push(format!("note: {note}"));
    }
    for (size, base) in [("1k", 1000.0), ("4k", 4000.0)] {
        for k in 0..8 {
            lines.push(format!(
                "BenchmarkEncode/size={size}-8 \t 1000 \t {} ns/op \t 64 B/op \t 2 allocs/op",
                base * encode_scale + f64::from(k) * 3.0
            ));
        }
    }
    for (size, base) in [("1k", 500), ("4k", 2000)] {
        for k in 0..8 {
            lines.push(format!(
                "BenchmarkDecode/size={size}-8 \t 1000 \t {} ns/op",
                base + k * 2
            ));
        }
    }
    lines.push("PASS".to_string());
    lines.join("\n") + "\n"
}

fn inputs(dir: &Path) {
    write(dir, "old.txt", &go_text("linux", None, 1.0));
    write(dir, "new.txt", &go_text("linux", None, 1.3));
    write(dir, "darwin.txt", &go_text("darwin", None, 1.0));
}

fn code(output: &std::process::Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// The lines of `text` from the one starting with `first`, as many as `count`.
fn lines_from<'a>(text: &'a str, first: &str, count: usize) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(first))
        .unwrap_or_else(|| panic!("no line starting with {first:?} in:\n{text}"));
    lines[at..(at + count).min(lines.len())].to_vec()
}

#[test]
fn col_by_a_parameter_compares_its_values_inside_one_file() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    let out = benchgate(
        &["compare", "old.txt", "--col", "/size", "--no-color"],
        dir.path(),
    );
    let text = stdout(&out);
    assert_eq!(
        code(&out),
        1,
        "4k is four times 1k: a failed gate\n{text}{}",
        stderr(&out)
    );
    assert_eq!(
        lines_from(&text, "cpu:", 7),
        [
            "cpu: Test CPU @ 2.00GHz",
            "goarch: amd64",
            "goos: linux",
            "pkg: example.com/enc",
            "baseline: 1k (real)",
            "current:  4k (real)",
            "",
        ]
    );
    assert_eq!(
        lines_from(&text, "wall_time", 4),
        [
            "wall_time        baseline         current  change                 verdict",
            "Encode-8   1.010µs ± 1.0%  4.011µs ± 0.3%  +296.9% (p<0.001 n=8)  FAIL",
            "Decode-8   507.0ns ± 1.4%  2.007µs ± 0.3%  +295.9% (p<0.001 n=8)  FAIL",
            "geomean           715.8ns         2.837µs  +296.4%",
        ]
    );
    assert!(
        text.ends_with("projection: 1 table(s), 1 comparison(s): failed\n"),
        "{text}"
    );

    // A fixed order makes 4k the base; `--row .name` drops the GOMAXPROCS suffix.
    let out = benchgate(
        &[
            "compare",
            "old.txt",
            "--col",
            "/size@(4k 1k)",
            "--row",
            ".name",
            "--no-color",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "1k is faster than 4k: improved\n{text}");
    assert_eq!(
        lines_from(&text, "wall_time", 3),
        [
            "wall_time        baseline         current  change                verdict",
            "Encode     4.011µs ± 0.3%  1.010µs ± 1.0%  -74.8% (p<0.001 n=8)  improved",
            "Decode     2.007µs ± 0.3%  507.0ns ± 1.4%  -74.7% (p<0.001 n=8)  improved",
        ]
    );
}

#[test]
fn a_filter_removes_benchmarks_before_judging_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    let out = benchgate(
        &[
            "compare",
            "old.txt",
            "new.txt",
            "--filter",
            "/size:4k",
            "--no-color",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "Encode is 30% slower\n{text}");
    assert_eq!(
        text.lines().next(),
        Some("filter /size:4k: 4 of 8 benchmark(s) filtered out")
    );
    assert_eq!(
        lines_from(&text, "wall_time", 4),
        [
            "wall_time               baseline         current  change                verdict",
            "Encode/size=4k-8  4.011µs ± 0.3%  5.210µs ± 0.2%  +29.9% (p<0.001 n=8)  FAIL",
            "Decode/size=4k-8  2.007µs ± 0.3%  2.007µs ± 0.3%  ~ (p=1.000 n=8)       ok",
            "geomean                  2.837µs         3.234µs  +14.0%",
        ]
    );
    // Only Decode, which did not change: the gate passes.
    let out = benchgate(
        &[
            "compare",
            "old.txt",
            "new.txt",
            "--filter",
            ".name:Decode -/size:/^4/",
            "--no-color",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}");
    assert_eq!(
        text.lines().next(),
        Some("filter .name:Decode -/size:/^4/: 6 of 8 benchmark(s) filtered out")
    );
    assert!(
        text.contains("\nDecode/size=1k-8  507.0ns ± 1.4%  507.0ns ± 1.4%"),
        "{text}"
    );
    assert!(!text.contains("Encode"), "{text}");
    // `.unit` keeps measures: only allocations are judged, and they did not change.
    let out = benchgate(
        &[
            "compare",
            "old.txt",
            "new.txt",
            "--filter",
            ".unit:(B OR allocs)",
            "--no-color",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(!stdout(&out).contains("wall_time"), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("filter .unit:(B OR allocs): 4 of 8 benchmark(s) filtered out\n")
    );
}

#[test]
fn tables_split_where_the_configuration_differs_unless_ignored() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    // Without a projection flag, files are compared by name as always: a configuration that
    // differs (another runner's CPU or OS) is no reason for a gate to refuse.
    let out = benchgate(
        &["compare", "old.txt", "darwin.txt", "--no-color"],
        dir.path(),
    );
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    assert!(!stdout(&out).contains("projection:"), "{}", stdout(&out));
    // Asked for benchstat's tables, they split by configuration: nothing to compare.
    let out = benchgate(
        &["compare", "old.txt", "darwin.txt", "--table", ".config"],
        dir.path(),
    );
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "error: nothing to compare: the inputs differ in goos (--ignore goos to compare across them)\n"
    );
    let out = benchgate(
        &[
            "compare",
            "old.txt",
            "darwin.txt",
            "--ignore",
            "goos",
            "--no-color",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}");
    assert_eq!(
        lines_from(&text, "cpu:", 5),
        [
            "cpu: Test CPU @ 2.00GHz",
            "goarch: amd64",
            "pkg: example.com/enc",
            "baseline: old.txt (real)",
            "current:  darwin.txt (real)",
        ]
    );
    // Files that agree take the comparison as it always was (no projection).
    let out = benchgate(&["compare", "old.txt", "new.txt", "--no-color"], dir.path());
    assert_eq!(code(&out), 1);
    assert!(!stdout(&out).contains("projection:"), "{}", stdout(&out));
}

#[test]
fn col_by_a_configuration_label_compares_files_by_their_note() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", &go_text("linux", Some("before"), 1.0));
    write(dir.path(), "b.txt", &go_text("linux", Some("after"), 1.3));
    let out = benchgate(
        &[
            "compare",
            "a.txt",
            "b.txt",
            "--col",
            "note",
            "--filter",
            "/size:1k",
            "--no-color",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert_eq!(
        lines_from(&text, "baseline:", 2),
        ["baseline: before (real)", "current:  after (real)"]
    );
    assert!(
        !text.contains("note:"),
        "note is the column, not a table key\n{text}"
    );
}

#[test]
fn bad_expressions_are_input_errors_that_say_where() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    for (flag, expr, message) in [
        (
            "--filter",
            "/size:(1k OR",
            "at character 13: expected a value (a word, \"quoted\" or /regexp/)",
        ),
        (
            "--filter",
            "goos:linux )",
            "at character 12: a ) that closes nothing",
        ),
        ("--filter", ".nam:x", "at character 1: unknown key \".nam\""),
        (
            "--filter",
            ".name:/En(/",
            "at character 7: bad regular expression /En(/",
        ),
        (
            "--col",
            "/size@fast",
            "at character 7: expected alpha, num or ( after @",
        ),
        (
            "--row",
            ".unit",
            "at character 1: .unit is a filter key, not a projection key",
        ),
        ("--ignore", "(goos", "at character 1: expected a key"),
    ] {
        let out = benchgate(&["compare", "old.txt", "new.txt", flag, expr], dir.path());
        assert_eq!(code(&out), 2, "{flag} {expr}");
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("error: {flag} {expr:?}: {message}")),
            "{flag} {expr}: {err}"
        );
        assert!(
            stdout(&out).is_empty(),
            "nothing half-printed: {}",
            stdout(&out)
        );
    }
    let out = benchgate(&["compare", "old.txt"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("or one run with --col KEYS"),
        "{}",
        stderr(&out)
    );
    let out = benchgate(
        &["compare", "old.txt", "new.txt", "--filter", "goos:plan9"],
        dir.path(),
    );
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: nothing to compare: --filter \"goos:plan9\" removed all 8 benchmark(s)\n"
    );
}

#[test]
fn json_csv_and_markdown_carry_the_one_outcome() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    let args = ["compare", "old.txt", "new.txt", "--filter", "/size:4k"];
    let out = benchgate(
        &[
            &args[..],
            &["--format", "json", "--export-markdown", "out.md"],
        ]
        .concat(),
        dir.path(),
    );
    assert_eq!(code(&out), 1);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema"], "benchgate/projection/v1");
    assert_eq!(json["outcome"], "failed");
    assert_eq!(json["filter"], "/size:4k");
    assert_eq!(
        (json["considered"].as_u64(), json["filtered_out"].as_u64()),
        (Some(8), Some(4))
    );
    let table = &json["tables"][0];
    assert_eq!(table["key"]["goos"], "linux");
    assert_eq!(table["columns"], serde_json::json!(["old.txt", "new.txt"]));
    let comparison = &table["comparisons"][0]["comparison"];
    assert_eq!(comparison["outcome"], "failed");
    let verdicts: Vec<(String, String)> = comparison["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["measure"] == "wall_time")
        .map(|v| {
            (
                v["benchmark"].as_str().unwrap().to_string(),
                v["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("Encode/size=4k-8".to_string(), "regressed".to_string()),
            ("Decode/size=4k-8".into(), "unchanged".into())
        ]
    );
    let md = std::fs::read_to_string(dir.path().join("out.md")).unwrap();
    assert!(
        md.starts_with("## ❌ benchgate projection: failed (1 table(s), 1 comparison(s))\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "#### Table `cpu=Test CPU @ 2.00GHz` `goarch=amd64` `goos=linux` `pkg=example.com/enc`"
        ),
        "{md}"
    );

    let out = benchgate(&[&args[..], &["--format", "csv"]].concat(), dir.path());
    assert_eq!(code(&out), 1);
    let csv = stdout(&out);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "table,baseline_column,column,benchmark,measure,unit,baseline,current,baseline_n,current_n,change_percent,ci_low_percent,ci_high_percent,p_value,q_value,verdict,severity,gating,reason"
    );
    assert_eq!(lines.len(), 1 + 4, "Encode: 3 measures, Decode: 1\n{csv}");
    assert!(
        lines[1].starts_with("cpu=Test CPU @ 2.00GHz goarch=amd64 goos=linux pkg=example.com/enc,old.txt,new.txt,Encode/size=4k-8,wall_time,ns,4010.5,5210.5,8,8,"),
        "{}",
        lines[1]
    );
}

#[test]
fn report_projects_a_stored_run_and_does_not_gate() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    let out = benchgate(&["ingest", "old.txt"], dir.path());
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    let out = benchgate(
        &["report", "last", "--col", "/size", "--format", "json"],
        dir.path(),
    );
    assert_eq!(
        code(&out),
        0,
        "report renders, it does not gate: {}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["outcome"], "failed");
    assert_eq!(
        json["tables"][0]["columns"],
        serde_json::json!(["1k", "4k"])
    );
    let out = benchgate(&["report", "last", "--filter", "/size:("], dir.path());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with("error: --filter \"/size:(\": at character 8:"),
        "{}",
        stderr(&out)
    );
}

/// JUnit: a test suite per table and column pair, failing as the gate does; HTML: one page with
/// a section per table. The same one outcome as every other format.
#[test]
fn junit_and_html_render_every_table() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    let args = ["compare", "old.txt", "new.txt", "--filter", "/size:4k"];
    let out = benchgate(&[&args[..], &["--format", "junit"]].concat(), dir.path());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let xml = stdout(&out);
    assert!(
        xml.contains(
            "<testsuite name=\"cpu: Test CPU @ 2.00GHz, goarch: amd64, goos: linux, pkg: example.com/enc: new.txt vs old.txt\" tests=\"4\" skipped=\"0\" errors=\"0\" failures=\"1\">"
        ),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<testcase name=\"wall_time\" classname=\"Encode/size=4k-8\">\n            <failure"
        ),
        "{xml}"
    );

    let out = benchgate(&[&args[..], &["--format", "html"]].concat(), dir.path());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let html = stdout(&out);
    for part in [
        "<h1>benchgate projection: failed (1 table(s), 1 comparison(s))</h1>",
        "<p>filter /size:4k: 4 of 8 benchmark(s) filtered out</p>",
        "<h2>Table cpu: Test CPU @ 2.00GHz · goarch: amd64 · goos: linux · pkg: example.com/enc</h2>",
        "<p>new.txt against old.txt</p>",
    ] {
        assert!(html.contains(part), "no {part:?} in\n{html}");
    }
    assert!(!html.contains("<script"));
}
