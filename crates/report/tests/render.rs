//! Every format of a fixed comparison and run, pinned by snapshots.

use benchgate_gate::{CompareOptions, compare_runs, compare_within_run};
use benchgate_model::{
    Benchmark, Direction, Environment, Measure, Metric, Mode, Provenance, Run, Source, Status, Unit,
};
use benchgate_report::{Format, Html, Json, Junit, Markdown, Terminal};
use time::macros::datetime;
use uuid::Uuid;

fn samples(center: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| center * (0.98 + 0.04 * ((i * 7) % n) as f64 / n as f64))
        .collect()
}

fn bench(name: &str, wall: f64, rss: f64) -> Benchmark {
    let metric = |measure, unit, center| {
        Metric::from_samples(measure, unit, Direction::LowerIsBetter, samples(center, 12)).unwrap()
    };
    Benchmark {
        mode: None,
        name: name.into(),
        params: Default::default(),
        labels: Default::default(),
        command: Some(format!("./{name}")),
        status: Status::Ok,
        metrics: vec![
            metric(Measure::WallTime, Unit::Nanoseconds, wall),
            metric(Measure::MaxRss, Unit::Bytes, rss),
        ],
        series: Vec::new(),
    }
}

fn run(id: u128, mode: Mode, benchmarks: Vec<Benchmark>) -> Run {
    let mut run = Run::new(
        Source::Command,
        datetime!(2026-11-24 10:00 UTC),
        Provenance {
            mode,
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            dirty: Some(false),
            ..Default::default()
        },
        Environment {
            os: "linux".into(),
            cpu_model: "test".into(),
            ..Default::default()
        }
        .with_fingerprint(),
    );
    run.id = Uuid::from_u128(id);
    run.benchmarks = benchmarks;
    run
}

fn comparison() -> benchgate_model::Comparison {
    let base = run(
        1,
        Mode::Real,
        vec![
            bench("parse", 1_718.0, 3.0 * 1024.0 * 1024.0),
            bench("compress", 20_150_000.0, 8.0 * 1024.0 * 1024.0),
            bench("render", 1.5e9, 64.0 * 1024.0 * 1024.0),
            bench("gone", 1e6, 1e6),
        ],
    );
    let mut skipped = bench("helios/commit", 1.0, 1.0);
    skipped.status = Status::Skipped {
        reason: "HELIOS_CLI_PATH is not set".into(),
    };
    skipped.metrics.clear();
    let current = run(
        2,
        Mode::Real,
        vec![
            bench("parse", 1_423.0, 3.0 * 1024.0 * 1024.0),
            bench("compress", 23_000_000.0, 8.0 * 1024.0 * 1024.0),
            bench("render", 1.57e9, 64.0 * 1024.0 * 1024.0),
            bench("fresh", 5e5, 1e6),
            skipped,
        ],
    );
    compare_runs(
        &base,
        "base.json",
        &current,
        "head.json",
        &CompareOptions::default(),
    )
}

#[test]
fn terminal_comparison() {
    insta::assert_snapshot!(Terminal { color: false }.comparison(&comparison()));
}

#[test]
fn markdown_comparison() {
    insta::assert_snapshot!(Markdown.comparison(&comparison()));
}

/// The HTML page of a comparison: its headline and one escaped row per compared verdict.
#[test]
fn html_comparison() {
    let out = Html.comparison(&comparison());
    assert!(out.starts_with("<!DOCTYPE html>\n"), "{out}");
    assert!(
        out.contains("<h1>FAILED: 1 failing, 1 warning, 1 improved, 1 skipped, 1 new of 6 gated comparisons</h1>"),
        "{out}"
    );
    assert!(
        out.contains(
            "<tr><td><code>compress</code></td><td>wall_time</td><td class=\"n\">20.12ms ± 1.2%</td>\
             <td class=\"n\">22.96ms ± 1.2%</td><td>+14.1% (p&lt;0.001 n=12)</td><td>FAIL</td></tr>"
        ),
        "{out}"
    );
    assert_eq!(out.matches("<tr><td>").count(), 10, "{out}");
}

/// A first run compares nothing: its Markdown has no empty table and no "All 0 comparisons"
/// beside a headline that counts one new benchmark.
#[test]
fn markdown_of_a_first_run_has_no_empty_comparison_table() {
    let current = run(2, Mode::Real, vec![bench("parse", 1_423.0, 1e6)]);
    let c =
        benchgate_gate::judge_without_baseline(&current, "head.json", &CompareOptions::default());
    let text = Markdown.comparison(&c);
    assert!(!text.contains("All 0 comparisons"), "{text}");
    assert!(!text.contains("| benchmark | measure |"), "{text}");
    assert!(
        text.contains("<details><summary>Settings</summary>"),
        "{text}"
    );
    assert!(text.contains("Thresholds: warn"), "{text}");
}

#[test]
fn json_comparison_round_trips() {
    let c = comparison();
    let text = Json.comparison(&c);
    assert_eq!(
        benchgate_model::Comparison::from_json(text.as_bytes()).unwrap(),
        c
    );
}

#[test]
fn terminal_and_markdown_run() {
    let r = run(
        3,
        Mode::Simulated,
        vec![bench("a", 1e6, 1e6), bench("b", 1.5e6, 2e6)],
    );
    let verdicts = compare_within_run(&r, &[Measure::WallTime], &CompareOptions::default());
    insta::assert_snapshot!("terminal_run", Terminal { color: false }.run(&r, &verdicts));
    insta::assert_snapshot!("markdown_run", Markdown.run(&r, &verdicts));
}

#[test]
fn colour_marks_failures_red() {
    let text = Terminal { color: true }.comparison(&comparison());
    assert!(text.contains("\x1b[1;31mFAIL\x1b[0m"), "{text}");
    assert!(
        !Terminal { color: false }
            .comparison(&comparison())
            .contains('\x1b')
    );
}

#[test]
fn junit_comparison() {
    insta::assert_snapshot!(Junit.comparison(&comparison()));
}

/// A name that tries everything: a line break and a forged GitHub workflow command, an OSC 8
/// hyperlink, a backtick that would close a Markdown code span, HTML and a table pipe.
const HOSTILE: &str = "a\n::error file=x::forged\x1b]8;;http://evil\x07`<img src=x>`|";

/// A run and a comparison in which every string from outside is hostile: benchmark names,
/// measure, unit, the failure message of a child and a skip reason.
fn hostile() -> (
    Run,
    Vec<benchgate_model::Verdict>,
    benchgate_model::Comparison,
) {
    let named = |suffix: &str, wall| {
        let mut b = bench(&format!("{HOSTILE}{suffix}"), wall, 1e6);
        let custom = Metric::from_samples(
            Measure::from(format!("{HOSTILE}m")),
            Unit::Custom(format!("{HOSTILE}u")),
            Direction::LowerIsBetter,
            samples(5.0, 12),
        )
        .unwrap();
        b.metrics.push(custom);
        b
    };
    let mut failed = named("failed", 1e6);
    failed.status = Status::Failed {
        message: format!("run: exited with status 1; stderr: {HOSTILE}"),
    };
    let mut skipped = named("skipped", 1e6);
    skipped.status = Status::Skipped {
        reason: HOSTILE.into(),
    };
    skipped.metrics.clear();
    let base = run(4, Mode::Real, vec![named("1", 1e6), named("2", 2e6)]);
    let current = run(
        5,
        Mode::Real,
        vec![named("1", 3e6), named("2", 2e6), failed, skipped],
    );
    let verdicts = compare_within_run(&current, &[Measure::WallTime], &CompareOptions::default());
    let comparison = compare_runs(
        &base,
        "base.json",
        &current,
        "head.json",
        &CompareOptions::default(),
    );
    (current, verdicts, comparison)
}

/// No line that GitHub Actions would take for a workflow command (it trims leading white space),
/// no raw control character but the line breaks.
fn assert_terminal_safe(text: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "forged command: {line:?}\n{text}"
        );
    }
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "raw control character in {text:?}"
    );
    assert!(
        text.contains("a\\n::error file=x::forged\\x1b]8;;http://evil\\x07`<img src=x>`|"),
        "{text}"
    );
}

#[test]
fn terminal_shows_hostile_names_escaped() {
    let (run, verdicts, comparison) = hostile();
    assert_terminal_safe(&Terminal { color: false }.run(&run, &verdicts));
    assert_terminal_safe(&Terminal { color: false }.comparison(&comparison));
    // With colour, the only escape sequences are benchgate's own SGR codes.
    let coloured = Terminal { color: true }.comparison(&comparison);
    assert!(!coloured.contains("\x1b]"), "{coloured}");
    assert!(!coloured.contains('\x07'), "{coloured}");
}

/// No raw HTML and no link can get into a Markdown output from a name, and every table row has
/// exactly as many cell separators as its header.
fn assert_markdown_safe(text: &str) {
    // Outside code spans (CommonMark: a run of n backticks up to the next run of exactly n),
    // neither HTML nor a link nor a stray backtick.
    let mut plain = String::new();
    let chars: Vec<char> = text.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|&&c| c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                plain.extend(&chars[i..(i + 2).min(chars.len())]);
                i += 2;
            }
            '`' => {
                let n = run_at(i);
                let mut j = i + n;
                loop {
                    assert!(j < chars.len(), "unclosed code span in {text}");
                    if chars[j] == '`' {
                        let m = run_at(j);
                        j += m;
                        if m == n {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                i = j;
            }
            c => {
                plain.push(c);
                i += 1;
            }
        }
    }
    // benchgate's own HTML: the collapsed details.
    let ours = ["<details>", "</details>", "<summary>", "</summary>"]
        .iter()
        .fold(plain.clone(), |p, tag| p.replace(tag, ""));
    assert!(!ours.contains('<'), "{plain}");
    assert!(!plain.contains("http://"), "{plain}");
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "forged command: {line:?}\n{text}"
        );
    }
    let separators = |line: &str| {
        let mut n = 0;
        let mut escaped = false;
        for c in line.chars() {
            if c == '|' && !escaped {
                n += 1;
            }
            escaped = c == '\\' && !escaped;
        }
        n
    };
    let mut header = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let n = separators(line);
        match header {
            None => header = Some(n),
            Some(h) => assert_eq!(n, h, "row breaks its table: {line:?}\n{text}"),
        }
    }
}

#[test]
fn markdown_holds_hostile_names_in_unbreakable_code_spans() {
    let (run, verdicts, comparison) = hostile();
    let md = Markdown.run(&run, &verdicts);
    assert_markdown_safe(&md);
    // The backtick in the name lengthens the fence; the pipe is escaped for the table.
    assert!(
        md.contains("``a\\n::error file=x::forged\\x1b]8;;http://evil\\x07`<img src=x>`\\|1``"),
        "{md}"
    );
    assert_markdown_safe(&Markdown.comparison(&comparison));
}

/// JUnit XML is read back by a JUnit parser with every hostile string intact but its control
/// characters (which XML 1.0 forbids, even escaped) shown as U+FFFD; no markup gets through.
#[test]
fn junit_holds_hostile_names_escaped() {
    let (run, verdicts, comparison) = hostile();
    let shown = HOSTILE.replace(['\x1b', '\x07'], "\u{fffd}");
    for xml in [Junit.run(&run, &verdicts), Junit.comparison(&comparison)] {
        assert!(!xml.contains("<img"), "{xml}");
        assert!(!xml.contains(['\x1b', '\x07']), "{xml}");
        let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        let cases = &report.test_suites[0].test_cases;
        let classes: Vec<&str> = cases
            .iter()
            .filter_map(|c| c.classname.as_deref())
            .collect();
        assert!(
            classes.contains(&format!("{shown}1").as_str()),
            "{classes:?}"
        );
        assert!(
            classes.contains(&format!("{shown}skipped").as_str()),
            "{classes:?}"
        );
    }
    // The run: the failed benchmark fails with its message, the skipped one is skipped.
    let report = quick_junit::Report::deserialize_from_str(&Junit.run(&run, &[])).unwrap();
    assert_eq!((report.tests, report.failures, report.skipped), (4, 1, 1));
    let failed = report.test_suites[0]
        .test_cases
        .iter()
        .find(|c| c.classname.as_deref() == Some(format!("{shown}failed").as_str()))
        .unwrap();
    match &failed.status {
        quick_junit::TestCaseStatus::NonSuccess {
            kind: quick_junit::NonSuccessKind::Failure,
            message,
            ..
        } => assert_eq!(
            message.as_deref(),
            Some(format!("run: exited with status 1; stderr: {shown}").as_str())
        ),
        other => panic!("{other:?}"),
    }
}
