//! What real-world setups asked of benchgate (issue 11, A12): budgets in human units on custom
//! measures, `compare DIR@NAME DIR@NAME` on a bare criterion directory, one-sample measures shown
//! as values.

mod common;

use common::{benchgate, record, stderr, stdout};

/// A run of `true` with a custom measure `commit_time` in nanoseconds (as a command's own output
/// gives it), written to `file`.
fn run_with_commit_time(dir: &std::path::Path, file: &str, samples_ms: &[f64]) {
    record(dir, "plain.json", "t", "true", 3);
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plain.json")).unwrap()).unwrap();
    let mut metric = run["benchmarks"][0]["metrics"][0].clone();
    metric["measure"] = "commit_time".into();
    metric["samples"] = samples_ms.iter().map(|ms| ms * 1e6).collect();
    metric.as_object_mut().unwrap().remove("iterations");
    run["benchmarks"][0]["metrics"]
        .as_array_mut()
        .unwrap()
        .push(metric);
    std::fs::write(dir.join(file), run.to_string()).unwrap();
}

#[test]
fn a_budget_on_a_custom_measure_in_ns_takes_a_duration() {
    let dir = tempfile::tempdir().unwrap();
    run_with_commit_time(dir.path(), "run.json", &[150.0, 160.0, 155.0]);
    std::fs::write(
        dir.path().join("benchgate.toml"),
        "[[budget]]\nmeasure = \"commit_time\"\nmax = \"100ms\"\n",
    )
    .unwrap();
    let out = benchgate(&["compare", "run.json", "run.json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "t · commit_time: BUDGET — budget #1 commit_time ≤ 100ms on *: t commit_time 155ms \
             above max 100ms, headroom -55%"
        ),
        "{}",
        stdout(&out)
    );
    std::fs::write(
        dir.path().join("benchgate.toml"),
        "[[budget]]\nmeasure = \"commit_time\"\nmax = \"200ms\"\n",
    )
    .unwrap();
    let out = benchgate(&["compare", "run.json", "run.json"], dir.path());
    assert!(
        stdout(&out).contains("commit_time ≤ 200ms on *"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("BUDGET"), "{}", stdout(&out));
}

/// `compare criterion@before criterion@after` run where the criterion directory is: a bare
/// directory name with a baseline is read as files, not looked up as a stored run.
#[test]
fn compare_takes_a_bare_criterion_directory_with_baselines() {
    let dir = tempfile::tempdir().unwrap();
    let tree = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../adapters/tests/fixtures/criterion/target-criterion");
    copy_tree(&tree, &dir.path().join("criterion"));
    let out = benchgate(
        &["--json", "compare", "criterion@before", "criterion@after"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let cmp: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cmp["baseline"]["label"], "criterion@before");
    assert_eq!(cmp["current"]["label"], "criterion@after");
    // No store was opened or made for it.
    assert!(!dir.path().join(".benchgate").exists());
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// hyperfine 1.x gives user and system time as one mean per command: reported (not gated), they
/// are shown as the two values and their change, not as `? (n=1) insufficient data` verdicts.
#[test]
fn one_value_measures_are_shown_as_values() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../adapters/tests/fixtures/hyperfine/v1.15-commands.json");
    let mut slower: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    for result in slower["results"].as_array_mut().unwrap() {
        let user = result["user"].as_f64().unwrap();
        result["user"] = (user * 1.5).into();
    }
    std::fs::write(dir.path().join("slower.json"), slower.to_string()).unwrap();
    let out = benchgate(
        &["compare", fixture.to_str().unwrap(), "slower.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let row = text
        .lines()
        .skip_while(|l| !l.starts_with("user_time (not gated)"))
        .find(|l| l.starts_with("quick"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        [
            "quick", "677.9µs", "1.017ms", "+50.0%", "(n=1)", "one", "value"
        ],
        "{text}"
    );
    assert!(!text.contains("user_time: insufficient data"), "{text}");
    assert!(!text.contains("sys_time: insufficient data"), "{text}");
}

/// `requires.env = { USE_REAL = "true" }` runs the bench only when the variable has that value;
/// otherwise it is recorded as skipped, with a reason that does not repeat the value found.
#[test]
fn a_required_environment_value_skips_the_bench_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        "[defaults]\nruns = 2\nwarmup = 0\n\n[[bench]]\nname = \"real\"\ncommand = \"true\"\n\
         requires = { env = { USE_REAL = \"true\" } }\n\n[[bench]]\nname = \"other\"\n\
         command = \"true\"\n",
    )
    .unwrap();
    let out = common::benchgate_with_env(&["run"], dir.path(), &[("USE_REAL", "secret-ish")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("real: skipped: requires: environment variable USE_REAL is not \"true\""),
        "{text}"
    );
    assert!(!text.contains("secret-ish"), "{text}");
    let out = common::benchgate_with_env(&["run"], dir.path(), &[("USE_REAL", "true")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("skipped"), "{}", stdout(&out));
}
