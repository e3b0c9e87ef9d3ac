//! `benchgate history`: a stored series with a planted shift of level, found and sized; flat
//! series show none; the noise floor of the current level is stored on request.

mod common;

use std::path::Path;

use common::{benchgate, stderr, stdout};
use serde_json::Value;

/// Stores one Go run of `Parse-2` whose five samples sit around `level` ns.
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
    assert!(matches!(out.status.code(), Some(0)), "{}", stderr(&out));
}

#[test]
fn a_planted_shift_is_found_and_sized() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Twelve runs at 1 µs, then ten at 1.2 µs: 20 % slower from run 13 on.
    for i in 0..22 {
        ingest(d, i, if i < 12 { 1000.0 } else { 1200.0 });
    }
    let out = benchgate(&["--json", "history", "Parse-2"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["schema"], "benchgate/history/v1");
    assert_eq!(h["points"].as_array().unwrap().len(), 22);
    let shifts = h["change_points"].as_array().unwrap();
    assert_eq!(shifts.len(), 1, "{shifts:?}");
    assert_eq!(shifts[0]["index"], 12);
    let shift = shifts[0]["relative_shift"].as_f64().unwrap();
    assert!((shift - 0.2).abs() < 0.01, "{shift}");

    let out = benchgate(&["history", "Parse-2", "--save-noise-floor"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("← +20.0% shift"), "{text}");
    assert!(text.contains("shifts of level:\n  at #13"), "{text}");
    assert!(text.contains("runs 1–12 vs 13–22"), "{text}");
    assert!(
        text.contains("noise floor at the current level: "),
        "{text}"
    );
    assert!(text.contains("(stored)"), "{text}");
}

/// A noise floor must not swallow real regressions: over too few runs (where a step cannot be
/// told from noise) it is refused and nothing is stored, and one slow run in a level does not
/// make the floor (the largest change between consecutive runs would have made it 40 %).
#[test]
fn noise_floors_are_refused_over_too_few_runs_and_ignore_an_outlier_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Five runs with an obvious 2× step: no shift can be found in so few, so no floor either.
    for (i, level) in [1000.0, 1000.0, 2000.0, 2000.0, 2000.0]
        .into_iter()
        .enumerate()
    {
        ingest(d, i, level);
    }
    let out = benchgate(&["history", "Parse-2", "--save-noise-floor"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(
        stderr(&out).trim(),
        "error: Parse-2: no noise floor stored: 5 run(s) at the current level; a noise floor \
         needs at least 10 (fewer cannot tell noise from a change of level)"
    );
    let out = benchgate(&["--json", "history", "Parse-2"], d);
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["noise_floor"], Value::Null);
    assert_eq!(h["noise_floor_saved"], false);

    // Fourteen more runs at one level, one of them 40 % slow: its median is left out.
    let other = tempfile::tempdir().unwrap();
    let o = other.path();
    for i in 0..14 {
        ingest(o, i, if i == 6 { 1400.0 } else { 1000.0 });
    }
    let out = benchgate(&["--json", "history", "Parse-2", "--save-noise-floor"], o);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["change_points"].as_array().unwrap().len(), 0, "{h}");
    // Every other run's median is exactly 1 µs (its five samples are symmetric about it).
    assert_eq!(h["noise_floor"], 0.0, "{h}");
    assert_eq!(h["noise_floor_outliers"], 1, "{h}");
    assert_eq!(h["noise_floor_runs"], 14, "{h}");
    assert_eq!(h["noise_floor_saved"], true, "{h}");
}

#[test]
fn a_flat_series_has_no_shift_and_errors_are_plain() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..15 {
        ingest(d, i, 1000.0);
    }
    let out = benchgate(&["history", "Parse-2"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\nno shift of level\n"),
        "{}",
        stdout(&out)
    );
    let out = benchgate(&["history", "Nope"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: Nope / wall_time: no stored run of this machine has it"),
        "{}",
        stderr(&out)
    );
    let empty = tempfile::tempdir().unwrap();
    let out = benchgate(&["history", "Parse-2"], empty.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no runs stored here yet"),
        "{}",
        stderr(&out)
    );
}
