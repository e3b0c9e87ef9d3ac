//! CSV wherever a table is printed (`compare`, `report`, `run --format csv`) and history exports
//! (`export --series BENCH --format csv|jsonl`), end to end on a real SQLite store in a tempdir;
//! wrong flag combinations are usage errors (exit 2) that change nothing.

mod common;

use std::path::Path;

use common::{benchgate, stderr, stdout, stored_runs};
use serde_json::Value;

/// Eight go test -bench samples of `Parse/a,b-2` around `parse` ns and of `-Neg-2` (a name that
/// starts like a formula) around 50 ns.
fn go_file(dir: &Path, file: &str, parse: f64) {
    let mut text = String::new();
    for k in 0..8 {
        let f = 1.0 + 0.004 * (((k * 3) % 5) as f64 - 2.0);
        text.push_str(&format!(
            "BenchmarkParse/a,b-2   \t 1000\t {:.1} ns/op\n",
            parse * f
        ));
        text.push_str(&format!(
            "Benchmark-Neg-2   \t 1000\t {:.2} ns/op\n",
            50.0 * f
        ));
    }
    std::fs::write(dir.join(file), text).unwrap();
}

const COMPARISON_HEADER: &str = "benchmark,measure,unit,baseline,current,baseline_n,current_n,change_percent,ci_low_percent,ci_high_percent,p_value,q_value,verdict,severity,gating,reason";

#[test]
fn compare_of_two_files_prints_the_verdicts_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    go_file(d, "old.txt", 1000.0);
    go_file(d, "new.txt", 1200.0);
    let out = benchgate(&["compare", "old.txt", "new.txt", "--format", "csv"], d);
    // The gate still decides the exit code: a 20 % regression fails it.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "{COMPARISON_HEADER}
\"Parse/a,b-2\",wall_time,ns,998,1197.6,8,8,20,19.04,20.967742,0.0001554001554001554,0.0003108003108003108,regressed,fail,true,\"'+20.0% (p<0.001, adjusted q<0.001, 95% interval [+19.0%, +21.0%]) reaches the 10% fail threshold\"
'-Neg-2,wall_time,ns,49.9,49.9,8,8,0,-0.798403,0.804829,1,1,unchanged,,true,\"no significant change (p=1.000, 95% interval [-0.8%, +0.8%])\"
"
        )
    );
}

#[test]
fn report_of_a_stored_run_prints_its_measures_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    go_file(d, "old.txt", 1000.0);
    let out = benchgate(&["ingest", "-q", "old.txt"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = benchgate(&["report", "--format", "csv"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with(
            "benchmark,measure,unit,median,ci_low,ci_high,confidence,n,mean,stddev,min,max,status,message,mode"
        ),
        "{header}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].starts_with("\"Parse/a,b-2\",wall_time,ns,998,"),
        "{text}"
    );
    assert!(rows[1].starts_with("'-Neg-2,wall_time,ns,49.9,"), "{text}");
    assert!(rows.iter().all(|r| r.contains(",8,")), "{text}");
}

/// Stores one go run of `Parse-2` around `level` ns.
fn ingest(dir: &Path, i: usize, level: f64) {
    let mut text = String::new();
    for k in 0..5 {
        let v = level * (1.0 + 0.004 * (((i * 7 + k * 3) % 5) as f64 - 2.0));
        text.push_str(&format!("BenchmarkParse-2   \t 1000\t {v:.1} ns/op\n"));
    }
    let file = dir.join(format!("run{i}.txt"));
    std::fs::write(&file, text).unwrap();
    let out = benchgate(
        &[
            "ingest",
            "-q",
            file.to_str().unwrap(),
            "--warn",
            "150%",
            "--fail",
            "200%",
        ],
        dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The stored runs' ids, oldest first.
fn run_ids(dir: &Path) -> Vec<String> {
    let mut runs = stored_runs(dir);
    runs.sort_by(|a, b| a["started_at"].as_str().cmp(&b["started_at"].as_str()));
    runs.iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_series_exports_as_json_lines_and_csv_one_run_each() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, level) in [1000.0, 1100.0, 1200.0].into_iter().enumerate() {
        ingest(d, i, level);
    }
    let ids = run_ids(d);
    assert_eq!(ids.len(), 3);

    let out = benchgate(&["export", "--series", "Parse-2", "--format", "jsonl"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (line, id) in lines.iter().zip(&ids) {
        assert_eq!(line["run_id"], id.as_str(), "{text}");
        assert_eq!(line["benchmark"], "Parse-2");
        assert_eq!(line["measure"], "wall_time");
        assert_eq!(line["unit"], "ns");
        assert!(
            line["started_at"].as_str().unwrap().ends_with('Z'),
            "{line}"
        );
    }
    let medians: Vec<f64> = lines.iter().map(|l| l["value"].as_f64().unwrap()).collect();
    assert_eq!(medians, [1000.0, 1100.0, 1200.0]);

    let out = benchgate(&["export", "--series", "Parse-2", "-o", "parse.csv"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = std::fs::read_to_string(d.join("parse.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "benchmark,measure,run_id,started_at,commit,fingerprint,value,unit"
    );
    assert_eq!(rows.len(), 4, "{csv}");
    for (row, (id, median)) in rows[1..]
        .iter()
        .zip(ids.iter().zip(["1000", "1100", "1200"]))
    {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields.len(), 8, "{row}");
        assert_eq!(fields[..3], ["Parse-2", "wall_time", id.as_str()], "{row}");
        assert_eq!(fields[6..], [median, "ns"], "{row}");
    }

    // --json asks for machine output: a series as JSON Lines.
    let out = benchgate(&["--json", "export", "--series", "Parse-2"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), text);

    // Without --series, export is what it was: the newest run as canonical JSON.
    let out = benchgate(&["export"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run["schema"], "benchgate/run/v1");
    assert_eq!(run["id"], ids[2].as_str());
}

#[test]
fn wrong_export_flags_are_usage_errors_that_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ingest(d, 0, 1000.0);
    let cases: [(&[&str], &str); 6] = [
        (
            &["export", "--format", "csv"],
            "--format csv is for a history series: add --series BENCH",
        ),
        (
            &["export", "--format", "jsonl"],
            "--format jsonl is for a history series: add --series BENCH",
        ),
        (
            &["export", "--series", "Parse-2", "--format", "json"],
            "a history series exports as --format csv or --format jsonl, not json",
        ),
        (
            &["export", "last", "--series", "Parse-2"],
            "cannot be used with",
        ),
        (&["export", "--measure", "max_rss"], "--series"),
        (
            &["export", "--series", "Nope", "--format", "csv"],
            "Nope / wall_time: no stored run of this machine (--all-machines: of any) has it",
        ),
    ];
    for (args, message) in cases {
        let mut with_output = args.to_vec();
        with_output.extend(["-o", "out.txt"]);
        let out = benchgate(&with_output, d);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(stdout(&out).is_empty(), "{args:?}");
        assert!(!d.join("out.txt").exists(), "{args:?}");
    }
    let out = benchgate(&["--json", "compare", "a", "b", "--format", "csv"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--json and --format csv ask for two output formats"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn run_prints_its_measures_or_its_ad_hoc_comparisons_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = benchgate(
        &[
            "run", "-q", "--runs", "3", "--name", "=cmd", "--format", "csv", "--", "true",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(
        rows[0],
        "benchmark,measure,unit,median,ci_low,ci_high,confidence,n,mean,stddev,min,max,status,message,mode",
    );
    assert!(rows[1].starts_with("'=cmd,wall_time,ns,"), "{text}");
    assert!(rows[1].ends_with(",ok,,real"), "{text}");

    let out = benchgate(
        &[
            "run", "-q", "--runs", "3", "--format", "csv", "--", "true", "--", "sleep 0",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], COMPARISON_HEADER);
    assert!(rows[1].starts_with("sleep 0,wall_time,ns,"), "{text}");
    assert!(rows[1].contains(",3,3,"), "{text}");
    assert!(rows[1].contains(",insufficient_data,,true,"), "{text}");
}

/// A series is this machine's runs unless --all-machines: a run imported from another machine
/// (another environment fingerprint) joins the export only then.
#[test]
fn a_series_is_this_machines_unless_all_machines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ingest(d, 0, 1000.0);
    let out = benchgate(&["export"], d);
    let mut run: Value = serde_json::from_slice(&out.stdout).unwrap();
    run["id"] = "01890000-0000-7000-8000-000000000001".into();
    run["started_at"] = "2099-01-01T00:00:00Z".into();
    run["ended_at"] = "2099-01-01T00:00:01Z".into();
    run["environment"]["fingerprint"] = "other-machine".into();
    std::fs::write(d.join("other.json"), run.to_string()).unwrap();
    let out = benchgate(&["import", "other.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = benchgate(&["export", "--series", "Parse-2"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(!text.contains("other-machine"), "{text}");

    let out = benchgate(&["export", "--series", "Parse-2", "--all-machines"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(
        rows[2].starts_with(
            "Parse-2,wall_time,01890000-0000-7000-8000-000000000001,2099-01-01T00:00:00Z,"
        ),
        "{text}"
    );
    assert!(rows[2].ends_with(",other-machine,1000,ns"), "{text}");
}
