//! `benchgate run` on a benchgate.toml: measure, store, judge against the baseline and budgets,
//! exit per SPEC §3. Real commands, a real SQLite file in a temporary directory.

mod common;

use std::path::Path;

use common::{
    assert_valid, benchgate_with_env, fixed_samples_env, fixed_samples_line, stderr, stdout,
    stored_runs,
};
use serde_json::Value;

const SUITE: &str = r#"
[defaults]
warmup = 1
runs = 6

[gate]
baseline = "last"

[[bench]]
name = "true"
command = "true"

[[bench]]
name = "sleep"
command = "sleep 0.002"

[[bench]]
name = "helios/commit"
command = "${BENCHGATE_TEST_UNSET_VAR} commit"
requires = { env = ["BENCHGATE_TEST_UNSET_VAR"] }
"#;

/// A directory with the suite, whose `true` and `sleep 0.002` are judged on fixed samples (1 ms
/// and 2 ms ± 3 %, the same in every run): these tests are about storing, finding and judging
/// runs, and a busy machine must not turn an A/A comparison into a regression.
fn suite_dir(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        format!("{SUITE}\n{extra}"),
    )
    .unwrap();
    fixed_samples_env(
        dir.path(),
        &[
            fixed_samples_line("true", 1.0, 0.03, 7, 64),
            fixed_samples_line("sleep 0.002", 2.0, 0.03, 8, 64),
        ],
    );
    dir
}

/// benchgate in `dir`, with the fixed samples of [`suite_dir`] when `dir` has them.
fn benchgate(args: &[&str], dir: &Path) -> std::process::Output {
    if dir.join("fixed-samples").exists() {
        // Relative to `dir`, as fixed_samples_env names it.
        benchgate_with_env(
            args,
            dir,
            &[("BENCHGATE_TEST_FIXED_SAMPLES", "fixed-samples")],
        )
    } else {
        common::benchgate(args, dir)
    }
}

fn json_run(dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["--json", "run", "-q"];
    all.extend_from_slice(args);
    let out = benchgate(&all, dir);
    let err = stderr(&out);
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{err}", stdout(&out)));
    (out.status.code(), value, err)
}

fn verdict<'a>(comparison: &'a Value, bench: &str, kind: &str) -> Option<&'a Value> {
    comparison["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == bench && v["kind"] == kind)
}

#[test]
fn first_run_is_stored_and_the_second_is_judged_against_it() {
    let dir = suite_dir("");
    let (code, first, err) = json_run(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_valid("comparison.v1.schema.json", &first);
    assert!(first.get("baseline").is_none(), "{first}");
    assert!(err.contains("this run is the first"), "{err}");
    assert_eq!(stored_runs(dir.path()).len(), 1);
    assert!(dir.path().join(".benchgate/history.db").exists());
    // The skipped bench is skipped, never passed.
    assert!(
        verdict(&first, "helios/commit", "skipped").is_some(),
        "{first}"
    );

    // An A/A comparison on the fixed samples of `suite_dir`, at the default thresholds.
    let (code, second, err) = json_run(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    let baseline_label = second["baseline"]["label"].as_str().unwrap();
    assert!(baseline_label.starts_with("last (run "), "{baseline_label}");
    assert_eq!(second["baseline"]["id"], first["current"]["id"]);
    assert_ne!(second["current"]["id"], first["current"]["id"]);
    let wall = second["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == "sleep" && v["measure"] == "wall_time")
        .unwrap();
    assert_eq!(wall["baseline"]["n"], 6);
    assert_eq!(wall["current"]["n"], 6);
    assert_eq!(wall["kind"], "unchanged", "{wall}");
    // The same fixed samples in both runs (after one warm-up run of the 64), whatever the
    // machine was doing: 2 ms ± 3 %.
    assert_eq!(
        wall["current"]["median"], wall["baseline"]["median"],
        "{wall}"
    );
    let median = wall["current"]["median"].as_f64().unwrap();
    assert!((1.94e6..=2.06e6).contains(&median), "{wall}");
    assert_eq!(stored_runs(dir.path()).len(), 2);

    // The terminal report says the same, with the skip visible.
    let out = benchgate(&["run", "-q"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("helios/commit: skipped: requires: environment variable BENCHGATE_TEST_UNSET_VAR is not set"), "{text}");
    assert!(text.contains("PASSED"), "{text}");
}

#[test]
fn a_broken_budget_fails_the_gate_and_is_named() {
    let dir = suite_dir("[[budget]]\nbench = \"sleep\"\nmeasure = \"wall_time\"\nmax = \"1ms\"\n");
    let (code, c, err) = json_run(dir.path(), &[]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(c["outcome"], "failed");
    let broken = verdict(&c, "sleep", "budget_exceeded").unwrap();
    assert_eq!(broken["severity"], "fail");
    let reason = broken["reason"].as_str().unwrap();
    assert!(reason.contains("wall_time ≤ 1ms on sleep"), "{reason}");
    let check = &c["budgets"][0];
    assert_eq!(check["status"], "fail");
    assert!(
        check["headroom_percent"].as_f64().unwrap() < -50.0,
        "{check}"
    );
    // The run is stored even though the gate failed: history keeps failures too.
    assert_eq!(stored_runs(dir.path()).len(), 1);
    let out = benchgate(&["run", "-q"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("wall_time ≤ 1ms on sleep"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_warning_passes_unless_warnings_are_denied() {
    let dir =
        suite_dir("[[budget]]\nbench = \"sleep\"\nmeasure = \"wall_time\"\ntarget = \"1ms\"\n");
    let (code, c, err) = json_run(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(c["outcome"], "warned");
    assert_eq!(
        verdict(&c, "sleep", "budget_exceeded").unwrap()["severity"],
        "warn"
    );
    let (code, _, _) = json_run(dir.path(), &["--deny-warnings"]);
    assert_eq!(code, Some(1));
}

#[test]
fn filter_selects_benchmarks() {
    let dir = suite_dir("");
    let (code, c, err) = json_run(dir.path(), &["sl*"]);
    assert_eq!(code, Some(0), "{err}");
    let names: Vec<&str> = c["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["benchmark"].as_str().unwrap())
        .collect();
    assert!(names.iter().all(|n| *n == "sleep"), "{names:?}");
}

#[test]
fn baselines_are_saved_selected_and_listed() {
    let dir = suite_dir("");
    let (code, first, _) = json_run(dir.path(), &[]);
    assert_eq!(code, Some(0));
    let first_id = first["current"]["id"].as_str().unwrap().to_string();
    let out = benchgate(&["baseline", "save", "main"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("baseline main → last (run {first_id})\n")
    );
    json_run(dir.path(), &[]);
    let (code, third, err) = json_run(dir.path(), &["--baseline", "main"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(third["baseline"]["id"], first_id.as_str());
    let (_, pooled, _) = json_run(dir.path(), &["--baseline", "window:3"]);
    assert_eq!(pooled["baseline"]["label"], "window:3 (3 runs)");
    let sleep = pooled["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == "sleep")
        .unwrap();
    assert_eq!(
        sleep["baseline"]["n"], 18,
        "three runs of six samples are pooled"
    );

    let out = benchgate(&["baseline", "list"], dir.path());
    assert_eq!(stdout(&out), format!("main  run:{first_id}\n"));
    let out = benchgate(&["baseline", "delete", "main"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let out = benchgate(&["baseline", "delete", "main"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: no baseline named \"main\"\n");
}

#[test]
fn export_import_and_report_move_runs_between_stores() {
    let dir = suite_dir("");
    json_run(dir.path(), &[]);
    let out = benchgate(&["export", "last", "--output", "run.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let exported: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap())
            .unwrap();
    assert_valid("run.v1.schema.json", &exported);

    let other = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/other.db", other.path().display());
    let run_file = dir.path().join("run.json");
    let out = benchgate(
        &["--db", &db, "import", run_file.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!(
        "imported run {}",
        exported["id"].as_str().unwrap()
    )));
    // Importing it again is refused and stores nothing.
    let out = benchgate(
        &["--db", &db, "import", run_file.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is already stored"),
        "{}",
        stderr(&out)
    );
    // Exported from the second store, it is byte for byte the same document.
    let out = benchgate(
        &[
            "--db",
            &db,
            "export",
            &format!("run:{}", exported["id"].as_str().unwrap()),
        ],
        dir.path(),
    );
    assert_eq!(stdout(&out), std::fs::read_to_string(&run_file).unwrap());

    let out = benchgate(&["report", "--format", "junit"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let xml = stdout(&out);
    assert!(
        xml.contains("<testcase name=\"run\" classname=\"helios/commit\">"),
        "{xml}"
    );
    assert!(xml.contains("<skipped message="), "{xml}");
    json_run(dir.path(), &[]);
    let out = benchgate(
        &[
            "report",
            "--format",
            "md",
            "--baseline",
            "run:".to_string().as_str(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = benchgate(
        &[
            "--json",
            "report",
            "--baseline",
            &format!("run:{}", exported["id"].as_str().unwrap()),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("comparison.v1.schema.json", &c);
    assert_eq!(c["baseline"]["id"], exported["id"]);
}

#[test]
fn modes_belong_to_benchmarks_and_a_mismatch_is_refused_unless_allowed() {
    let dir = suite_dir("");
    let simulated = SUITE.replace(
        "command = \"true\"",
        "command = \"true\"\nmode = \"simulated\"",
    );
    std::fs::write(dir.path().join("sim.toml"), simulated).unwrap();
    let (code, c, err) = json_run(dir.path(), &["--config", "sim.toml"]);
    assert_eq!(code, Some(0), "{err}");
    // One simulated benchmark labels the run; each benchmark keeps its own mode.
    assert_eq!(c["current"]["mode"], "simulated");
    let sim_id = c["current"]["id"].as_str().unwrap().to_string();
    let out = benchgate(&["export", &format!("run:{sim_id}")], dir.path());
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mode_of = |name: &str| {
        run["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == name)
            .unwrap()["mode"]
            .clone()
    };
    assert_eq!(mode_of("true"), "simulated");
    assert_eq!(mode_of("sleep"), "real");

    // `last` is each benchmark's latest measurement in its own mode: the real `true` has none
    // yet (new), the real `sleep` is judged against the previous real one.
    let (code, c, err) = json_run(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(verdict(&c, "true", "new").is_some(), "{c}");
    assert!(verdict(&c, "sleep", "new").is_none(), "{c}");

    // A baseline named explicitly that measured `true` simulated is refused before anything runs.
    let out = benchgate(
        &["baseline", "save", "sim", &format!("run:{sim_id}")],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let before = stored_runs(dir.path()).len();
    let out = benchgate(&["run", "-q", "--baseline", "sim"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("true is simulated there but real here: they measure different things"),
        "{err}"
    );
    assert_eq!(
        stored_runs(dir.path()).len(),
        before,
        "nothing measured or stored"
    );
    let (code, c, _) = json_run(dir.path(), &["--baseline", "sim", "--allow-mode-mismatch"]);
    assert_eq!(code, Some(0));
    assert!(
        c["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("simulated")),
        "{c}"
    );
}

/// Bad input: one line, exit 2, nothing stored.
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = benchgate(args, dir);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err.trim_end().to_string()
}

#[test]
fn bad_configuration_and_stores_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let write = |text: &str| std::fs::write(dir.path().join("benchgate.toml"), text).unwrap();

    write("[[bench]]\nname = \"a\"\ncommand = \"true\"\n[gate\n");
    let err = refused(dir.path(), &["run"]);
    assert!(err.starts_with("error: benchgate.toml:4:"), "{err}");

    write("[[bench]]\nname = \"a\"\ncomand = \"true\"\n");
    let err = refused(dir.path(), &["run"]);
    assert!(
        err.starts_with("error: benchgate.toml:3:1:") && err.contains("comand"),
        "{err}"
    );

    write("[defaults]\nmax_time = \"-5s\"\n[[bench]]\nname = \"a\"\ncommand = \"true\"\n");
    let err = refused(dir.path(), &["run"]);
    assert!(
        err.starts_with("error: benchgate.toml:2:") && err.contains("max_time"),
        "{err}"
    );
    assert!(!dir.path().join(".benchgate").exists(), "nothing written");

    write("[[bench]]\nname = \"a\"\ncommand = \"true\"\n");
    let err = refused(
        dir.path(),
        &["--db", "postgres://nobody@127.0.0.1:1/none", "run"],
    );
    assert!(
        err.starts_with("error: cannot open the history store"),
        "{err}"
    );
    let err = refused(dir.path(), &["--db", "mysql://x", "run"]);
    assert!(err.contains("unsupported store URL"), "{err}");

    let err = refused(dir.path(), &["run", "--baseline", "no-such-baseline"]);
    assert_eq!(
        err,
        "error: baseline no-such-baseline: no baseline named \"no-such-baseline\""
    );
    let err = refused(dir.path(), &["run", "--baseline", "window:0"]);
    assert!(err.contains("window:N needs a positive number"), "{err}");
    assert!(!dir.path().join(".benchgate").exists(), "nothing written");

    let err = refused(dir.path(), &["run", "--config", "missing.toml"]);
    assert!(
        err.starts_with("error: missing.toml: no such file"),
        "{err}"
    );
    let err = refused(dir.path(), &["run", "--prepare", "sync"]);
    assert!(
        err.starts_with("error: --prepare applies to commands given after `--`"),
        "{err}"
    );
    let err = refused(dir.path(), &["run", "zzz"]);
    assert_eq!(err, "error: benchgate.toml: no [[bench]] matches \"zzz\"");
    // An SQLite store that cannot be created is refused before anything is measured, as an
    // unreachable PostgreSQL server is.
    std::fs::write(dir.path().join("plain-file"), "").unwrap();
    let err = refused(
        dir.path(),
        &["--db", "sqlite://plain-file/history.db", "run"],
    );
    assert!(
        err.starts_with("error: cannot open the history store: plain-file/history.db:")
            && err.ends_with("nothing was measured"),
        "{err}"
    );
}

/// The same gate on a PostgreSQL store (the server `.ci/postgres.sh` starts).
#[test]
fn the_gate_works_on_postgresql_too() {
    let url = match std::env::var("BENCHGATE_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!("BENCHGATE_TEST_POSTGRES_URL is not set under CI (source .ci/postgres.sh)")
        }
        _ => {
            // Straight to the terminal: libtest would swallow eprintln! of a passing test.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipping: BENCHGATE_TEST_POSTGRES_URL not set (the_gate_works_on_postgresql_too)"
            );
            return;
        }
    };
    let dir = suite_dir("");
    let (code, first, err) = json_run(dir.path(), &["--db", &url]);
    assert_eq!(code, Some(0), "{err}");
    let (code, second, err) = json_run(dir.path(), &["--db", &url]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(second["baseline"]["id"], first["current"]["id"]);
    let id = second["current"]["id"].as_str().unwrap();
    let out = benchgate(&["--db", &url, "export", &format!("run:{id}")], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid("run.v1.schema.json", &run);
    assert_eq!(run["id"], id);
    assert!(
        !dir.path().join(".benchgate").exists(),
        "nothing went to SQLite"
    );
}

#[test]
fn reading_commands_never_create_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = benchgate(&["runs", "list"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "no runs stored yet\n");
    for args in [
        &["export"][..],
        &["report"],
        &["baseline", "list"],
        &["compare", "last", "last"],
    ] {
        let err = refused(dir.path(), args);
        assert_eq!(
            err,
            "error: sqlite://.benchgate/history.db: no runs stored here yet (`benchgate run` or \
             `benchgate import` stores some)",
            "{args:?}"
        );
    }
    assert!(!dir.path().join(".benchgate").exists(), "nothing created");
}

/// A benchmark that looks regressed is measured once more before the gate fails: a slowdown
/// that does not repeat (here: only while a file exists, which the bench's cleanup removes) is
/// not a regression; one that repeats still fails; `--no-confirm` judges the first measurement.
#[test]
fn suspects_are_measured_again_before_failing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("benchgate.toml"),
        r#"
[defaults]
warmup = 1
runs = 8

[gate]
baseline = "last"
# The slow path is twenty times the fast one; the verdicts are judged on fixed samples of both.
warn = "300%"
fail = "400%"

[[bench]]
name = "nap"
command = "sh -c 'if [ -f slow ]; then sleep 0.2; else sleep 0.01; fi'"
cleanup = "rm -f transient"
"#,
    )
    .unwrap();
    // Each measurement of the command takes the next line of its samples (see
    // `fixed_samples_line`): the real sleeps run, but a busy machine cannot make a fast
    // measurement look slow.
    let transient = "sh -c 'if [ -f transient ]; then sleep 0.2; else sleep 0.01; fi'";
    let fast = |command: &str, seed| fixed_samples_line(command, 10.0, 0.03, seed, 9);
    let slow = |command: &str, seed| fixed_samples_line(command, 200.0, 0.03, seed, 9);
    let samples = |lines: &[String]| fixed_samples_env(d, lines);
    samples(&[fast(
        "sh -c 'if [ -f slow ]; then sleep 0.2; else sleep 0.01; fi'",
        21,
    )]);
    let first = benchgate(&["run", "-q"], d);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    // Now slow while the file `transient` exists, which the bench's cleanup removes after its
    // first measurement: slow then, fast when measured again.
    std::fs::write(
        d.join("benchgate.toml"),
        std::fs::read_to_string(d.join("benchgate.toml"))
            .unwrap()
            .replace("[ -f slow ]", "[ -f transient ]"),
    )
    .unwrap();
    std::fs::write(d.join("transient"), "").unwrap();
    samples(&[slow(transient, 22), fast(transient, 23)]);
    let (code, cmp, err) = json_run(d, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("measured again before judging (they looked regressed): nap"),
        "{err}"
    );
    let nap = cmp["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == "nap" && v["measure"] == "wall_time")
        .unwrap();
    // Judged on the second, fast measurement: unchanged.
    assert_eq!(nap["kind"], "unchanged", "{nap}");
    let stored = stored_runs(d);
    assert_eq!(stored.len(), 2);

    // A slowdown that repeats fails after the second measurement too.
    std::fs::write(d.join("transient"), "").unwrap();
    std::fs::write(
        d.join("benchgate.toml"),
        std::fs::read_to_string(d.join("benchgate.toml"))
            .unwrap()
            .replace("cleanup = \"rm -f transient\"", ""),
    )
    .unwrap();
    samples(&[slow(transient, 24), slow(transient, 25)]);
    let (code, _, err) = json_run(d, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("measured again before judging"), "{err}");

    // --no-confirm: the first measurement decides.
    samples(&[slow(transient, 26)]);
    let (code, _, err) = json_run(
        d,
        &[
            "--no-confirm",
            "--baseline",
            &format!("run:{}", stored[1]["id"].as_str().unwrap()),
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(!err.contains("measured again"), "{err}");
}

/// `last` is each benchmark's latest measurement: a filtered run neither hides the others'
/// baselines from later runs nor reports what it filtered out as missing.
#[test]
fn a_filtered_run_leaves_the_other_benchmarks_their_last() {
    let dir = suite_dir("");
    let wide = ["--warn", "900%", "--fail", "1000%"];
    let with = |filter: Option<&str>| {
        let mut args: Vec<&str> = wide.to_vec();
        args.extend(filter);
        let (code, c, err) = json_run(dir.path(), &args);
        assert_eq!(code, Some(0), "{err}");
        c
    };
    let kinds = |c: &Value, kind: &str| -> Vec<String> {
        c["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["kind"] == kind)
            .map(|v| v["benchmark"].as_str().unwrap().to_string())
            .collect()
    };
    let first = with(None);
    let only_true = with(Some("true"));
    assert!(kinds(&only_true, "missing").is_empty(), "{only_true}");
    assert!(kinds(&only_true, "new").is_empty(), "{only_true}");
    let only_sleep = with(Some("sleep"));
    // `sleep` is judged against the first run's, not left new by the filtered run between.
    assert!(kinds(&only_sleep, "new").is_empty(), "{only_sleep}");
    assert!(kinds(&only_sleep, "missing").is_empty(), "{only_sleep}");
    assert_eq!(only_sleep["baseline"]["id"], first["current"]["id"]);
    // A full run then finds each benchmark's latest: two different runs.
    let full = with(None);
    assert!(kinds(&full, "new").is_empty(), "{full}");
    assert!(kinds(&full, "missing").is_empty(), "{full}");
    assert_eq!(
        full["baseline"]["label"], "last (per benchmark: 2 runs)",
        "{full}"
    );
    // A benchmark gone from the suite is missing from an unfiltered run: `last` also looks at
    // what the newest run measured, not only at what this one did.
    let config = std::fs::read_to_string(dir.path().join("benchgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        config.replace("[[bench]]\nname = \"true\"\ncommand = \"true\"\n", ""),
    )
    .unwrap();
    let without_true = with(None);
    assert_eq!(kinds(&without_true, "missing"), ["true"], "{without_true}");
    assert!(kinds(&without_true, "new").is_empty(), "{without_true}");
}

/// `report` judges a stored pair exactly as `run` judged it: the configuration's gate (here two
/// gated measures) and the machine's noise floors (learned by `doctor`).
#[test]
fn report_gives_the_verdicts_run_gave() {
    let dir = suite_dir("");
    let config = std::fs::read_to_string(dir.path().join("benchgate.toml")).unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        config.replace(
            "baseline = \"last\"",
            "baseline = \"last\"\nmeasures = [\"wall_time\", \"max_rss\"]\nwarn = \"900%\"\nfail = \"1000%\"",
        ),
    )
    .unwrap();
    let out = benchgate(&["doctor", "true", "--rounds", "4"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, first, err) = json_run(dir.path(), &[]);
    assert!(first["verdicts"].is_array(), "{err}");
    let (code, second, err) = json_run(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    let out = benchgate(
        &[
            "--json",
            "report",
            &format!("run:{}", second["current"]["id"].as_str().unwrap()),
            "--baseline",
            &format!("run:{}", first["current"]["id"].as_str().unwrap()),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let reported: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = |c: &Value| -> Vec<(String, String, String, String, bool, String)> {
        let mut rows: Vec<_> = c["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["benchmark"].as_str().unwrap().to_string(),
                    v["measure"].as_str().unwrap().to_string(),
                    v["kind"].as_str().unwrap().to_string(),
                    v["severity"].as_str().unwrap_or("-").to_string(),
                    v["gating"].as_bool().unwrap(),
                    v["caveats"].to_string(),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(summary(&reported), summary(&second));
    assert_eq!(reported["outcome"], second["outcome"]);
    // max_rss is gated by the configuration, in both.
    assert!(
        summary(&reported)
            .iter()
            .any(|(_, m, _, _, gating, _)| m == "max_rss" && *gating)
    );
}

/// Adaptive sampling that stops at its time limit before reaching its precision target says so
/// in the table and the verdict: a warning, which --deny-warnings fails.
#[test]
fn a_missed_precision_target_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("benchgate.toml"),
        "[defaults]\nwarmup = 0\nmin_runs = 6\nmax_time = \"200ms\"\nprecision = \"0.001%\"\n\n[[bench]]\nname = \"sleep\"\ncommand = \"sleep 0.002\"\n",
    )
    .unwrap();
    let out = benchgate(&["run"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.starts_with("sleep "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("(target ±0.001%)"), "{row}");
    assert!(text.contains("insufficient precision"), "{text}");
    assert!(
        text.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("PASSED with warnings"),
        "{text}"
    );
    let (code, c, err) = json_run(dir.path(), &["--deny-warnings"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(c["outcome"], "failed");
    let v = &c["verdicts"][0];
    assert_eq!(v["caveats"][0]["kind"], "insufficient_precision", "{v}");
    assert_eq!(v["caveats"][0]["target"], 0.00001, "{v}");
}
