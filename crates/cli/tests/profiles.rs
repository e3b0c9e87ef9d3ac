//! `--profile perf|callgrind|flamegraph` on `run` and `ab` (issue 16): what regressed is run once
//! more under the profiler, kept in `.benchgate/profiles/RUN-ID/` with a manifest, and linked from
//! the terminal table, Markdown, JSON, JUnit and the HTML report; a profiler the machine lacks is
//! said, never failed over. Verdicts come from fixed samples (a busy machine cannot turn them);
//! the profiled runs are real processes under callgrind (valgrind is on every CI machine here).

mod common;

use std::path::Path;

use common::{
    assert_valid, benchgate_process_with_env, benchgate_with_env, fixed_samples_env,
    fixed_samples_line, read_json, stderr, stdout,
};
use serde_json::Value;

const SUITE: &str = r#"
[defaults]
warmup = 0
runs = 20

[gate]
baseline = "last"
confirm = "off"

[[bench]]
name = "steady"
command = "true"

[[bench]]
name = "slower"
command = "sleep 0.002"
"#;

fn have_valgrind() -> bool {
    let ok = std::process::Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "CI must have valgrind");
    }
    ok
}

/// A suite whose first run is stored: `steady` 1 ms and `slower` 2 ms. The next run's samples
/// (`slower_ms`) are written by [`samples`].
fn suite() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("benchgate.toml"), SUITE).unwrap();
    samples(dir.path(), 2.0);
    let out = run(dir.path(), &["run", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

fn samples(dir: &Path, slower_ms: f64) {
    fixed_samples_env(
        dir,
        &[
            fixed_samples_line("true", 1.0, 0.02, 1, 20),
            fixed_samples_line("sleep 0.002", slower_ms, 0.02, 2, 20),
        ],
    );
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    benchgate_with_env(
        args,
        dir,
        &[("BENCHGATE_TEST_FIXED_SAMPLES", "fixed-samples")],
    )
}

/// The one run directory under `.benchgate/profiles`, and its files, sorted.
fn profile_files(dir: &Path) -> (String, Vec<String>) {
    let root = dir.join(".benchgate/profiles");
    let runs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let mut files: Vec<String> = std::fs::read_dir(root.join(&runs[0]))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    (runs[0].clone(), files)
}

#[test]
fn what_regressed_is_profiled_and_linked_from_every_report() {
    if !have_valgrind() {
        return;
    }
    let dir = suite();
    let d = dir.path();
    samples(d, 6.0);
    let out = run(
        d,
        &[
            "run",
            "-q",
            "--profile",
            "callgrind",
            "--export-markdown",
            "cmp.md",
        ],
    );
    // The profile is a help: the gate's outcome is the regression's.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (id, files) = profile_files(d);
    assert_eq!(files, ["profiles.json", "slower.callgrind.out"]);
    let path = format!(".benchgate/profiles/{id}/slower.callgrind.out");
    let callgrind = std::fs::read_to_string(d.join(&path)).unwrap();
    assert!(callgrind.contains("events: Ir"));

    // Terminal: a table of the profiles.
    let text = stdout(&out);
    assert!(text.contains("profiles (callgrind)"), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("slower ") && l.contains(".callgrind.out"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.ends_with(&path), "{row}");
    assert!(!text.contains("steady.callgrind.out"));

    // JSON: the comparison's `profiles`, valid against the schema.
    let out = run(
        d,
        &[
            "--json",
            "report",
            &format!("run:{id}"),
            "--baseline",
            "last",
        ],
    );
    let cmp: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("comparison.v1.schema.json", &cmp);
    assert_eq!(
        cmp["profiles"],
        serde_json::json!([{
            "benchmark": "slower",
            "profiler": "callgrind",
            "files": [path],
        }])
    );
    // The manifest says the same, for `report` later.
    let manifest = read_json(&d.join(format!(".benchgate/profiles/{id}/profiles.json")));
    assert_eq!(manifest, cmp["profiles"]);

    // Markdown: a link.
    let md = std::fs::read_to_string(d.join("cmp.md")).unwrap();
    assert!(md.contains("**profiles (callgrind)**"), "{md}");
    assert!(
        md.contains(&format!("- `slower`: [slower.callgrind.out]({path})")),
        "{md}"
    );

    // JUnit (from `report`, which reads the manifest): an attachment on the regressed case.
    let out = run(
        d,
        &[
            "report",
            &format!("run:{id}"),
            "--baseline",
            "last",
            "--format",
            "junit",
        ],
    );
    let xml = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        xml.matches(&format!("[[ATTACHMENT|{path}]]")).count(),
        1,
        "{xml}"
    );
    // HTML: a link.
    let out = run(
        d,
        &[
            "report",
            &format!("run:{id}"),
            "--baseline",
            "last",
            "--format",
            "html",
        ],
    );
    let html = stdout(&out);
    assert!(
        html.contains(&format!("<a href=\"{path}\">slower.callgrind.out</a>")),
        "{html}"
    );
    // Terminal report of the stored run alone, too.
    let out = run(d, &["report", &format!("run:{id}")]);
    assert!(
        stdout(&out).contains("profiles (callgrind)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn nothing_regressed_nothing_profiled_unless_all_are_asked_for() {
    if !have_valgrind() {
        return;
    }
    let dir = suite();
    let d = dir.path();
    let out = run(d, &["run", "-q", "--profile", "callgrind"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "note: --profile callgrind: no benchmark regressed, so none was profiled \
             (--profile-all profiles every one)"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!d.join(".benchgate/profiles").exists());

    let out = run(
        d,
        &[
            "run",
            "-q",
            "--profile",
            "callgrind",
            "--profile-all",
            "--profile-dir",
            "prof",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let runs: Vec<_> = std::fs::read_dir(d.join("prof")).unwrap().collect();
    assert_eq!(runs.len(), 1);
    let run_dir = runs[0].as_ref().unwrap().path();
    let mut files: Vec<String> = std::fs::read_dir(&run_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "profiles.json",
            "slower.callgrind.out",
            "steady.callgrind.out"
        ]
    );
}

/// perf not on PATH: the report says so, with the package to install; the run and its verdicts
/// are as without `--profile`.
#[test]
fn a_missing_profiler_is_said_in_the_report_not_failed_over() {
    let dir = suite();
    let d = dir.path();
    samples(d, 6.0);
    // A PATH with the benchmarks' programs but no perf.
    let bin = d.join("bin");
    std::fs::create_dir(&bin).unwrap();
    for program in ["true", "sleep", "sh"] {
        let found = ["/usr/bin", "/bin"]
            .iter()
            .map(|p| Path::new(p).join(program))
            .find(|p| p.exists())
            .unwrap();
        std::os::unix::fs::symlink(found, bin.join(program)).unwrap();
    }
    let out = benchgate_process_with_env(
        &["--json", "run", "-q", "--profile", "flamegraph"],
        d,
        &[
            ("BENCHGATE_TEST_FIXED_SAMPLES", "fixed-samples"),
            ("PATH", bin.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let cmp: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        cmp["profiles"],
        serde_json::json!([{
            "benchmark": "slower",
            "profiler": "flamegraph",
            "unavailable": "perf is not installed (on Debian: apt-get install linux-perf)",
        }])
    );
    assert_eq!(cmp["outcome"], "failed");
}

/// `ab --profile`: both builds' commands, named by side.
#[test]
fn ab_profiles_both_builds() {
    if !have_valgrind() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = fixed_samples_env(
        d,
        &[
            fixed_samples_line("sleep 0.002", 2.0, 0.02, 1, 200),
            fixed_samples_line("sleep 0.003", 8.0, 0.02, 2, 200),
        ],
    );
    let out = benchgate_with_env(
        &[
            "--json",
            "ab",
            "-q",
            "--base",
            "sleep 0.002",
            "--head",
            "sleep 0.003",
            "--name",
            "nap",
            "--profile",
            "callgrind",
        ],
        d,
        &[(env[0].0, env[0].1.as_str())],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let cmp: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("comparison.v1.schema.json", &cmp);
    let profiles = cmp["profiles"].as_array().unwrap();
    let sides: Vec<(&str, &str)> = profiles
        .iter()
        .map(|p| {
            (
                p["side"].as_str().unwrap(),
                p["files"][0].as_str().unwrap().rsplit('/').next().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sides,
        [
            ("baseline", "nap.base.callgrind.out"),
            ("current", "nap.head.callgrind.out")
        ]
    );
    for p in profiles {
        assert!(d.join(p["files"][0].as_str().unwrap()).is_file());
    }
}
