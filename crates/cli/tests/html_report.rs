//! `benchgate report --format html -o FILE`: one self-contained page written from a stored run
//! (or its comparison with a baseline), whole or not at all.

mod common;

use std::path::Path;

use common::{benchgate, record_fixed, stderr, stdout};

/// A benchmark name that would be an element if it were not escaped.
const NAME: &str = "a<script>alert(1)</script>";

fn stored(d: &Path, file: &str, wall_ms: f64, seed: u64) -> String {
    record_fixed(d, file, NAME, "true", 5, wall_ms, seed);
    let out = benchgate(&["import", file], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join(file)).unwrap()).unwrap();
    run["id"].as_str().unwrap().to_string()
}

fn assert_self_contained(page: &str) {
    for fetching in ["src=", "href=", "<script", "<link", "url(", "@import"] {
        assert!(!page.contains(fetching), "{fetching} in {page}");
    }
}

#[test]
fn report_html_writes_the_page_of_a_stored_run_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = stored(d, "one.json", 10.0, 1);
    // An older file there is replaced whole.
    std::fs::write(d.join("out.html"), "old contents").unwrap();
    let out = benchgate(&["report", "--format", "html", "-o", "out.html"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "",
        "the page goes to the file, not standard output"
    );
    let page = std::fs::read_to_string(d.join("out.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>\n"), "{page}");
    assert!(page.ends_with("</html>\n"), "{page}");
    assert_self_contained(&page);
    assert!(page.contains(&format!("run {id}")), "{page}");
    assert!(
        page.contains("<code>a&lt;script&gt;alert(1)&lt;/script&gt;</code>"),
        "{page}"
    );
    // One chart per measure the command runner records.
    for measure in ["wall time", "user", "sys", "max RSS"] {
        assert!(
            page.contains(&format!(
                "aria-label=\"{measure}: distribution of the samples\""
            )),
            "{measure} in {page}"
        );
    }
    assert_eq!(
        page.matches("<svg class=\"distribution\"").count(),
        4,
        "{page}"
    );
    // Five samples of the one benchmark's wall time, drawn as dots.
    let wall = &page[page.find("<svg class=\"distribution\"").unwrap()..];
    let wall = &wall[..wall.find("</svg>").unwrap()];
    assert_eq!(
        wall.matches("<circle class=\"sample\"").count(),
        5,
        "{wall}"
    );
    assert!(page.contains("<dt>mode</dt><dd>real</dd>"), "{page}");
    // One stored run has no history to draw.
    assert!(!page.contains("<svg class=\"history\""), "{page}");
    // Nothing else is left beside it (the temporary file was renamed).
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".benchgate-"))
        .collect();
    names.sort();
    assert_eq!(names, Vec::<String>::new());
}

#[test]
fn report_html_of_a_comparison_draws_both_runs_and_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = stored(d, "one.json", 10.0, 1);
    stored(d, "two.json", 20.0, 2);
    let selector = format!("run:{base}");
    let out = benchgate(
        &[
            "report",
            "--baseline",
            &selector,
            "--format",
            "html",
            "--output",
            "cmp.html",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(d.join("cmp.html")).unwrap();
    assert_self_contained(&page);
    assert!(page.contains("<svg class=\"changes\""), "{page}");
    assert!(page.contains("<rect class=\"bar regressed\""), "{page}");
    assert!(page.contains(">baseline</text>"), "{page}");
    assert!(page.contains(">current</text>"), "{page}");
}

/// A file that cannot be written is an error that names it (exit 2), and nothing is left.
#[test]
fn report_to_a_missing_directory_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stored(d, "one.json", 10.0, 1);
    let out = benchgate(
        &["report", "--format", "html", "-o", "no/such/dir/out.html"],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write no/such/dir/out.html"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("no").exists());
}

/// The `<svg class="history">` charts of `page`, each up to its end.
fn history_charts(page: &str) -> Vec<&str> {
    page.match_indices("<svg class=\"history\"")
        .map(|(at, _)| {
            let chart = &page[at..];
            &chart[..chart.find("</svg>").unwrap()]
        })
        .collect()
}

/// Eight stored runs of one benchmark, four at 10 ms then four at 20 ms: the page of the last
/// draws its gated measure's history (wall time, the default) with all eight runs and the shift
/// at the fifth; the page of the sixth run draws the history as it stood then.
#[test]
fn report_html_draws_the_stored_history_with_its_change_point() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut ids = Vec::new();
    for i in 0..8 {
        let wall_ms = if i < 4 { 10.0 } else { 20.0 };
        ids.push(stored(d, &format!("run{i}.json"), wall_ms, i + 1));
    }
    let out = benchgate(&["report", "--format", "html", "-o", "last.html"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(d.join("last.html")).unwrap();
    assert_self_contained(&page);
    let charts = history_charts(&page);
    assert_eq!(charts.len(), 1, "one gated measure: {page}");
    let chart = charts[0];
    assert!(
        chart.contains(
            "aria-label=\"a&lt;script&gt;alert(1)&lt;/script&gt; · wall_time: 8 stored runs, \
             1 shift of level\""
        ),
        "{chart}"
    );
    assert_eq!(
        chart.matches("<circle class=\"point\"").count(),
        8,
        "{chart}"
    );
    assert_eq!(
        chart.matches("<line class=\"change-point\"").count(),
        1,
        "{chart}"
    );
    assert!(chart.contains("<title>shift of +"), "{chart}");
    assert!(chart.contains(" at #5: "), "{chart}");
    assert!(
        page.contains("; shift of +"),
        "the caption names it: {page}"
    );

    // An older run: the runs stored after it are not its history.
    let sixth = format!("run:{}", ids[5]);
    let out = benchgate(
        &["report", &sixth, "--format", "html", "-o", "sixth.html"],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(d.join("sixth.html")).unwrap();
    let charts = history_charts(&page);
    assert_eq!(charts.len(), 1, "{page}");
    assert!(
        charts[0].contains("wall_time: 6 stored runs"),
        "{}",
        charts[0]
    );
    assert_eq!(charts[0].matches("<circle class=\"point\"").count(), 6);

    // A comparison's page draws it too; gating user time as well draws that measure's history.
    let base = format!("run:{}", ids[0]);
    let out = benchgate(
        &[
            "report",
            "--baseline",
            &base,
            "--measure",
            "wall_time",
            "--measure",
            "user_time",
            "--format",
            "html",
            "-o",
            "cmp.html",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(d.join("cmp.html")).unwrap();
    let charts = history_charts(&page);
    assert_eq!(charts.len(), 2, "{page}");
    assert!(
        charts[0].contains("wall_time: 8 stored runs, 1 shift"),
        "{}",
        charts[0]
    );
    assert!(
        charts[1].contains("user_time: 8 stored runs, 1 shift"),
        "{}",
        charts[1]
    );
}
