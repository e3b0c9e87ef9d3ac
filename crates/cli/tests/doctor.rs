//! `benchgate doctor`: the machine report, and A/A calibration of configured benchmarks with
//! their noise floors stored.

mod common;

use common::{benchgate, stderr, stdout};

#[test]
fn the_machine_report_names_what_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(&["doctor"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for what in [
        "logical cores",
        "cpu governor",
        "load average",
        "steal (1 s)",
        "timer granularity",
    ] {
        assert!(text.contains(what), "{what}: {text}");
    }
    assert!(
        text.contains("`benchgate doctor BENCH` measures the noise floor"),
        "{text}"
    );
    assert!(
        !dir.path().join(".benchgate").exists(),
        "no store without a calibration"
    );
}

#[test]
fn calibration_reports_and_stores_noise_floors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("benchgate.toml"),
        "[defaults]\nwarmup = 0\nruns = 5\n\n[[bench]]\nname = \"wc\"\ncommand = \"wc -{flag} benchgate.toml\"\nparams = { flag = [\"l\", \"c\"] }\n\n[[bench]]\nname = \"other\"\ncommand = \"true\"\n",
    )
    .unwrap();
    let out = benchgate(&["doctor", "wc", "--rounds", "4"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("A/A calibration, 4 rounds"), "{text}");
    assert!(
        text.contains("wc/flag=l") && text.contains("wc/flag=c"),
        "{text}"
    );
    assert!(!text.contains("\nother "), "{text}");
    assert!(
        text.contains("stored 2 noise floors for machine "),
        "{text}"
    );
    assert!(d.join(".benchgate/history.db").exists());
    // --no-save measures and stores nothing.
    let out = benchgate(
        &[
            "--db",
            "sqlite://other.db",
            "doctor",
            "wc",
            "--rounds",
            "4",
            "--no-save",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("not stored (--no-save)"));
    assert!(!d.join("other.db").exists());
    // Nothing matches: a clear error.
    let out = benchgate(&["doctor", "nope"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: benchgate.toml: no [[bench]] matches \"nope\""
    );
}

/// The calibration table lines its columns up in display columns: a name of wide characters
/// (`日本語/ベンチ`, 13 columns in 7 characters) pads as far as an ASCII one, so every row's
/// right-aligned median ends at column 28 + 1 + 12 = 41.
#[test]
fn calibration_table_aligns_wide_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("benchgate.toml"),
        "[defaults]\nwarmup = 0\nruns = 3\n\n[[bench]]\nname = \"日本語/ベンチ\"\ncommand = \"true\"\n\n[[bench]]\nname = \"ascii\"\ncommand = \"true\"\n",
    )
    .unwrap();
    let out = benchgate(&["doctor", "--no-save", "*", "--rounds", "4"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for (name, columns) in [("日本語/ベンチ", 13), ("ascii", 5)] {
        let row = text
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no row for {name} in\n{text}"));
        let median = row.split_whitespace().next().unwrap();
        let spaces = row.len() - row.trim_start().len();
        assert_eq!(
            columns + spaces + median.chars().count(),
            41,
            "{name}'s median does not end at column 41 in\n{text}"
        );
    }
}
