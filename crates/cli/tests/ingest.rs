//! `benchgate ingest`, `benchgate exec` and `benchgate compare` on what other harnesses wrote:
//! the real fixtures of crates/adapters (go test, criterion, hyperfine, …), a real SQLite store in
//! a temporary directory, real child processes for `exec`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{
    assert_valid, benchgate, benchgate_with_env, benchmark_names, read_json, stderr, stdout,
    stored_runs,
};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters/tests/fixtures")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).display().to_string()
}

fn verdict<'a>(comparison: &'a Value, benchmark: &str, measure: &str) -> &'a Value {
    comparison["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == benchmark && v["measure"] == measure)
        .unwrap_or_else(|| panic!("no verdict for {benchmark} / {measure}"))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs())
}

/// `benchgate compare old.txt new.txt` on two real `go test -bench -count 10` outputs gives
/// benchstat's numbers: the same medians, the same 95 % intervals of the medians (the same order
/// statistics), the same deltas and the same Mann–Whitney p-values as the reference computed
/// by fixtures/go/benchstat/reference.py, and its `± x%` figures.
#[test]
fn go_comparison_agrees_with_the_benchstat_reference() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture("go/benchstat/old.txt");
    let new = fixture("go/benchstat/new.txt");
    let out = benchgate(
        &["compare", &old, &new, "--export-json", "cmp.json"],
        dir.path(),
    );
    // Compress is 10 % slower (warn), Search 50 % (fail): the gate fails.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let cmp = read_json(&dir.path().join("cmp.json"));
    assert_valid("comparison.v1.schema.json", &cmp);
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("go/benchstat/reference.json")).unwrap(),
    )
    .unwrap();
    let rows = reference["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    for row in rows {
        let name = row["benchmark"].as_str().unwrap();
        let measure = match row["unit"].as_str().unwrap() {
            "ns/op" => "wall_time",
            "B/op" => "alloc_bytes",
            "allocs/op" => "allocs",
            other => panic!("unit {other}"),
        };
        let v = verdict(&cmp, name, measure);
        for (side, ours) in [("old", &v["baseline"]), ("new", &v["current"])] {
            let theirs = &row[side];
            assert_eq!(ours["n"], theirs["n"], "{name} {measure} {side}");
            assert_eq!(
                ours["median"].as_f64(),
                theirs["center"].as_f64(),
                "{name} {measure}"
            );
            assert_eq!(
                ours["median_ci"]["lo"].as_f64(),
                theirs["lo"].as_f64(),
                "{name} {measure}"
            );
            assert_eq!(
                ours["median_ci"]["hi"].as_f64(),
                theirs["hi"].as_f64(),
                "{name} {measure}"
            );
            assert!(close(
                ours["median_ci"]["confidence"].as_f64().unwrap(),
                theirs["coverage"].as_f64().unwrap(),
                1e-12
            ));
        }
        let p_ref = row["p"].as_f64().unwrap();
        match row["delta_percent"].as_f64() {
            Some(delta) => {
                let ratio = v["effect"]["ratio"].as_f64().unwrap();
                assert!(
                    close((ratio - 1.0) * 100.0, delta, 1e-9),
                    "{name} {measure}: {ratio} vs {delta}%"
                );
                let p = v["p_value"].as_f64().unwrap();
                assert!(close(p, p_ref, 1e-9), "{name} {measure}: p {p} vs {p_ref}");
            }
            // All zeros on both sides: nothing to compare, benchstat prints `~`.
            None => {
                assert_eq!(p_ref, 1.0);
                assert_ne!(v["kind"], "regressed", "{name} {measure}");
            }
        }
    }
    // The printed spread is benchstat's `± x%` (one decimal below 10 %).
    let hash = rows
        .iter()
        .find(|r| r["benchmark"] == "Hash-2" && r["unit"] == "ns/op")
        .unwrap();
    let pct = |side: &str| format!("± {:.1}%", hash[side]["range_percent"].as_f64().unwrap());
    let line = text.lines().find(|l| l.starts_with("Hash-2")).unwrap();
    assert!(
        line.contains(&pct("old")) && line.contains(&pct("new")),
        "{line}"
    );
    // The verdicts: exactly the two injected regressions.
    assert_eq!(verdict(&cmp, "Compress-2", "wall_time")["severity"], "warn");
    assert_eq!(verdict(&cmp, "Search-2", "wall_time")["severity"], "fail");
    assert_eq!(verdict(&cmp, "Hash-2", "wall_time")["kind"], "unchanged");
    assert_eq!(verdict(&cmp, "Sort-2", "wall_time")["kind"], "unchanged");
    assert!(
        text.contains("Search-2 · wall_time: FAIL — +49.7%"),
        "{text}"
    );
}

#[test]
fn ingest_stores_and_gates_go_results() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture("go/benchstat/old.txt");
    let new = fixture("go/benchstat/new.txt");
    let out = benchgate(&["ingest", &old, "--export-json", "old.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no stored run matches baseline last yet"),
        "{}",
        stderr(&out)
    );
    let run = read_json(&dir.path().join("old.json"));
    assert_valid("run.v1.schema.json", &run);
    assert_eq!(run["source"], "ingest:go");
    assert_eq!(run["environment"]["cpu_model"], "AMD EPYC");
    let hash = &run["benchmarks"][0];
    assert_eq!(hash["name"], "Hash-2");
    assert_eq!(hash["params"]["procs"], "2");
    assert_eq!(hash["labels"]["pkg"], "example.com/scaled");
    assert_eq!(hash["labels"]["goos"], "linux");
    let wall = &hash["metrics"][0];
    assert_eq!(wall["measure"], "wall_time");
    assert_eq!(wall["samples"][0], 37505.0);
    assert_eq!(wall["samples"][1], 40746.0);
    assert_eq!(wall["iterations"][0], 638);

    let out = benchgate(&["ingest", &new], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("baseline: last (run "), "{text}");
    assert!(text.contains("Search-2 · wall_time: FAIL"), "{text}");
    // The run table shows the measures Go reported, not a command runner's.
    let header = text.lines().nth(1).unwrap();
    assert!(
        header.contains("alloc bytes") && header.contains("allocs"),
        "{header}"
    );
    assert!(!header.contains("max RSS"), "{header}");
    let stored = stored_runs(dir.path());
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|r| r["source"] == "ingest:go"));
    // --deny-warnings has nothing to add to a failure; a lax --fail lets it pass with a warning.
    let out = benchgate(
        &[
            "ingest",
            &new,
            "--baseline",
            &format!("run:{}", run["id"].as_str().unwrap()),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let out = benchgate(
        &[
            "ingest",
            &new,
            "--baseline",
            "window:5",
            "--warn",
            "60%",
            "--fail",
            "80%",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// `last` means the newest run of the same harness: a hyperfine ingest in between does not
/// become the baseline of the next Go ingest.
#[test]
fn last_is_the_newest_run_of_the_same_format() {
    let dir = tempfile::tempdir().unwrap();
    for (file, code) in [
        ("go/benchstat/old.txt", 0),
        ("hyperfine/v1.15-commands.json", 0),
        ("go/benchstat/new.txt", 1),
    ] {
        let out = benchgate(&["ingest", &fixture(file)], dir.path());
        assert_eq!(out.status.code(), Some(code), "{file}: {}", stderr(&out));
    }
    let stored = stored_runs(dir.path());
    let sources: Vec<&str> = stored
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["ingest:go", "ingest:hyperfine", "ingest:go"]);
}

#[test]
fn several_files_are_one_run_with_pooled_samples() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("go/benchstat/old.txt")).unwrap();
    let (mut first, mut second) = (String::new(), String::new());
    let mut results = 0;
    for line in text.lines() {
        let target = if line.starts_with("Benchmark") {
            results += 1;
            if results % 2 == 0 {
                &mut second
            } else {
                &mut first
            }
        } else {
            first.push_str(line);
            first.push('\n');
            &mut second
        };
        target.push_str(line);
        target.push('\n');
    }
    std::fs::write(dir.path().join("a.txt"), &first).unwrap();
    std::fs::write(dir.path().join("b.txt"), &second).unwrap();
    let out = benchgate(
        &["ingest", "a.txt", "b.txt", "--export-json", "run.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    let hash = &run["benchmarks"][0]["metrics"][0];
    assert_eq!(hash["samples"].as_array().unwrap().len(), 10);
    // a.txt's samples first (lines 1, 3, 5, …), then b.txt's.
    assert_eq!(hash["samples"][0], 37505.0);
    assert_eq!(hash["samples"][5], 40746.0);
    assert_eq!(stored_runs(dir.path()).len(), 1);
}

#[test]
fn bad_inputs_are_named_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty.txt"), "").unwrap();
    std::fs::write(d.join("junk.bin"), b"\x00\x01\x02\xff binary garbage").unwrap();
    let go = std::fs::read_to_string(fixture("go/benchstat/old.txt")).unwrap();
    std::fs::write(d.join("good.txt"), &go).unwrap();
    // Cut in the middle of a result line: the number of iterations and a value without a unit.
    let cut =
        go.find("BenchmarkSort-2").unwrap() + "BenchmarkSort-2       \t     249\t     91780".len();
    std::fs::write(d.join("cut.txt"), &go[..cut]).unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["ingest", "empty.txt"],
            "error: empty.txt: the file is empty; expected benchmark results (see `benchgate ingest --help`)",
        ),
        (
            &["ingest", "junk.bin"],
            "error: junk.bin: cannot tell which harness wrote this; benchgate reads go test -bench \
             text or -json, hyperfine, Google Benchmark, pytest-benchmark and benchgate JSON, \
             libtest bench lines and criterion directories (name the format with --adapter)",
        ),
        (
            &["ingest", "good.txt", "cut.txt"],
            "error: cut.txt: line 15: BenchmarkSort-2: expected a unit after the value 91780, \
             found the end of the line",
        ),
        (
            &["ingest", "good.txt", "--adapter", "hyperfine"],
            "error: good.txt: $: expected value (line 1, column 1); the input looks like go output \
             (try --adapter go or --adapter auto)",
        ),
        (
            &["ingest", "nothing-here.txt"],
            "error: cannot read nothing-here.txt: No such file or directory (os error 2)",
        ),
        (
            &[
                "ingest",
                "good.txt",
                &fixture("hyperfine/v1.15-commands.json"),
            ],
            "",
        ),
    ];
    for (args, want) in cases {
        let out = benchgate(args, d);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        let line = err.lines().next().unwrap_or_default();
        if want.is_empty() {
            assert!(
                line.ends_with(
                    "is hyperfine output but good.txt is go: one run holds results of one \
                     harness (ingest them separately)"
                ),
                "{line}"
            );
        } else {
            assert_eq!(line, want, "{args:?}");
        }
        assert!(!d.join(".benchgate").exists(), "{args:?} created a store");
    }
    // Into an existing store: a bad second file leaves it as it was.
    let out = benchgate(&["ingest", "good.txt"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = benchgate(&["ingest", "good.txt", "junk.bin"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stored_runs(d).len(), 1);
}

/// Two criterion baselines of one target/criterion directory, by name.
#[test]
fn a_bad_config_is_named_before_a_bad_measure_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.txt"), "BenchmarkA 1 5 ns/op\n").unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[gate]\nwarn = \"x\"\n").unwrap();
    let out = benchgate(
        &[
            "ingest",
            "--config",
            "bad.toml",
            "--measure",
            "wal_time",
            "go.txt",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: bad.toml:2:8: [gate] `warn`: \"x\" is not a number with a unit\n"
    );
    assert!(stored_runs(dir.path()).is_empty());
}

#[test]
fn criterion_baselines_compare_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let tree = fixture("criterion/target-criterion");
    let out = benchgate(
        &[
            "--json",
            "compare",
            &format!("{tree}@before"),
            &format!("{tree}@after"),
        ],
        dir.path(),
    );
    let cmp: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(cmp["baseline"]["label"], format!("{tree}@before"));
    let checksum = cmp["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| {
            v["benchmark"].as_str().unwrap().starts_with("checksum") && v["measure"] == "wall_time"
        })
        .unwrap();
    assert_eq!(checksum["kind"], "regressed", "{checksum}");
    assert_eq!(checksum["severity"], "fail");
    assert!(checksum["effect"]["ratio"].as_f64().unwrap() > 2.5);
    // A baseline the tree does not hold is named, with the ones it does.
    let out = benchgate(
        &["compare", &format!("{tree}@nope"), &format!("{tree}@after")],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("nope") && err.contains("before") && err.contains("after"),
        "{err}"
    );
}

/// `exec` runs the harness (here `cat` and `sh`, real child processes), shows its output as it
/// comes — on standard error, so standard output holds only the report — and stores what it
/// printed. A failing harness is exit code 3, after its results are stored.
#[test]
fn exec_streams_parses_and_stores() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture("go/benchstat/old.txt");
    let new = fixture("go/benchstat/new.txt");
    let out = benchgate(&["exec", "--", "cat", &old], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("BenchmarkHash-2       \t     638\t     37505 ns/op"),
        "{err}"
    );
    assert!(
        !stdout(&out).contains("BenchmarkHash"),
        "the harness output is not the report"
    );
    assert!(stdout(&out).contains("run "), "{}", stdout(&out));

    let script = format!("cat '{new}'; echo 'some tests failed' >&2; exit 7");
    let out = benchgate(&["exec", "--", "sh", "-c", &script], dir.path());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // The failure is part of the one outcome: the report says it, and never PASSED.
    let report = stdout(&out);
    assert!(report.contains("failed: `sh -c "), "{report}");
    assert!(
        report.contains("failed (exit status: 7); the results it printed were stored and judged"),
        "{report}"
    );
    assert!(report.contains("Search-2 · wall_time: FAIL"), "{report}");
    let headline = report.lines().last().unwrap_or_default();
    assert!(
        headline.starts_with("FAILED: 1 command failed while measuring; "),
        "{headline}"
    );
    assert!(!report.contains("PASSED"), "{report}");
    let stored = stored_runs(dir.path());
    assert_eq!(stored.len(), 2);

    // Nothing readable and a failure: exit 3, nothing stored.
    let out = benchgate(&["exec", "--", "sh", "-c", "echo oops; exit 4"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("failed (exit status: 4) and left no results"));
    // Nothing readable and success: an input error.
    let out = benchgate(
        &["exec", "--", "sh", "-c", "echo no results here"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the command's output: cannot tell which harness wrote this"));
    // A harness that does not exist.
    let out = benchgate(&["exec", "--", "/nonexistent/harness"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: cannot run /nonexistent/harness: "));
    assert_eq!(stored_runs(dir.path()).len(), 2);
}

/// Criterion's results are files: `exec` reads those the run wrote, not the stale ones an
/// earlier run left in the same directory.
#[test]
fn exec_reads_only_fresh_criterion_results() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target/criterion");
    std::fs::create_dir_all(&target).unwrap();
    let tree = fixtures().join("criterion/target-criterion");
    // An earlier run's results, a day old.
    let copy = Command::new("cp")
        .args(["-r"])
        .arg(tree.join("checksum"))
        .arg(&target)
        .status()
        .unwrap();
    assert!(copy.success());
    let old = Command::new("find")
        .arg(&target)
        .args(["-exec", "touch", "-d", "yesterday", "{}", "+"])
        .status()
        .unwrap();
    assert!(old.success());
    // This run writes hash/* and prints criterion's report.
    let script = format!(
        "cp -r '{}' target/criterion/ && echo 'hash/fnv/1024           time:   [1.0418 µs 1.0591 µs 1.0811 µs]'",
        tree.join("hash").display()
    );
    let out = benchgate(
        &[
            "exec",
            "--export-json",
            "run.json",
            "--",
            "sh",
            "-c",
            &script,
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    assert_eq!(run["source"], "ingest:criterion");
    let names = benchmark_names(&run);
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| n.starts_with("hash/")), "{names:?}");
    // A run that wrote nothing new says so.
    let out = benchgate(
        &["exec", "--adapter", "criterion", "--", "true"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("target/criterion: the command wrote no criterion results during this run"),
        "{}",
        stderr(&out)
    );
}

/// The real `go test -bench`, run by `exec` on the fixture package. Skipped (with a note) where
/// Go is not installed; under CI=true it must run.
#[test]
fn exec_runs_the_real_go_test() {
    let have_go = Command::new("go")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have_go {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true but `go` is not installed (.ci/run installs golang-go)"
        );
        eprintln!("skipped: `go` is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/h.db", dir.path().display());
    let module = fixtures().join("go/benchstat/src");
    let run_json = dir.path().join("run.json");
    let out = benchgate_with_env(
        &[
            "--db",
            &db,
            "exec",
            "--export-json",
            run_json.to_str().unwrap(),
            "--",
            "go",
            "test",
            "-run",
            "^$",
            "-bench",
            ".",
            "-benchmem",
            "-benchtime",
            "50x",
            "-count",
            "3",
        ],
        &module,
        &[("GOFLAGS", "-mod=mod"), ("GOPROXY", "off")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    assert_eq!(run["source"], "ingest:go");
    let names = benchmark_names(&run);
    let procs = names[0].rsplit('-').next().unwrap().to_string();
    let expect: Vec<String> = ["Hash", "Sort", "Compress", "Search"]
        .iter()
        .map(|n| {
            if procs.parse::<u32>().is_ok() {
                format!("{n}-{procs}")
            } else {
                n.to_string()
            }
        })
        .collect();
    assert_eq!(names, expect);
    for bench in run["benchmarks"].as_array().unwrap() {
        let wall = &bench["metrics"][0];
        assert_eq!(wall["measure"], "wall_time");
        assert_eq!(wall["samples"].as_array().unwrap().len(), 3);
        assert_eq!(wall["iterations"][0], 50);
        assert_eq!(bench["labels"]["pkg"], "example.com/scaled");
    }
    assert_eq!(
        run["provenance"]["tags"]["exec"],
        "go test -run '^$' -bench . -benchmem -benchtime 50x -count 3"
    );
}

/// `cargo bench` prints which bench target runs on standard error and libtest's results on
/// standard output; `exec` hears both, so the same name in two targets is two benchmarks named
/// by target rather than `#2`.
#[test]
fn exec_tells_libtest_targets_apart_by_cargos_running_lines() {
    let dir = tempfile::tempdir().unwrap();
    let script = r#"
set -e
say() { printf '%s\n' "$1"; sleep 0.2; }
err() { printf '%s\n' "$1" >&2; sleep 0.2; }
err '     Running benches/a.rs (target/release/deps/a-c4c295bf774701c0)'
say ''
say 'running 2 tests'
say 'test bench_only_in_a ... bench:           0.62 ns/iter (+/- 5.02)'
say 'test bench_shared    ... bench:           1.25 ns/iter (+/- 10.05)'
say ''
say 'test result: ok. 0 passed; 0 failed; 0 ignored; 2 measured; 0 filtered out; finished in 0.62s'
err '     Running benches/b.rs (target/release/deps/b-4e57dcabe90b70dd)'
say ''
say 'running 1 test'
say 'test bench_shared ... bench:           2.49 ns/iter (+/- 20.07)'
say ''
say 'test result: ok. 0 passed; 0 failed; 0 ignored; 1 measured; 0 filtered out; finished in 0.28s'
"#;
    let out = benchgate(
        &[
            "exec",
            "--export-json",
            "run.json",
            "--",
            "sh",
            "-c",
            script,
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = read_json(&dir.path().join("run.json"));
    assert_eq!(run["source"], "ingest:libtest");
    let names = benchmark_names(&run);
    assert_eq!(
        names,
        ["bench_only_in_a", "a::bench_shared", "b::bench_shared"]
    );
    assert_eq!(run["benchmarks"][2]["metrics"][0]["samples"][0], 2.49);
    // Both streams were shown as they came.
    let err = stderr(&out);
    assert!(err.contains("Running benches/b.rs") && err.contains("test bench_shared ... bench:"));
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// `--baseline merge-base` judges a branch against the newest run stored at the commit it forked
/// from, whatever was stored since.
#[test]
fn merge_base_is_the_run_at_the_fork_point() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::write(d.join(".gitignore"), ".benchgate/\n*.txt\n*.json\n").unwrap();
    git(d, &["add", ".gitignore"]);
    git(d, &["commit", "-q", "-m", "fork point"]);
    std::fs::copy(fixture("go/benchstat/old.txt"), d.join("old.txt")).unwrap();
    std::fs::copy(fixture("go/benchstat/new.txt"), d.join("new.txt")).unwrap();
    let out = benchgate(&["ingest", "old.txt", "--export-json", "fork.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fork = read_json(&d.join("fork.json"));
    // main moves on and stores another (slow) run; the branch forks from the first commit.
    git(d, &["checkout", "-q", "-b", "feature"]);
    git(d, &["commit", "-q", "--allow-empty", "-m", "feature work"]);
    git(d, &["checkout", "-q", "main"]);
    git(d, &["commit", "-q", "--allow-empty", "-m", "main moves on"]);
    let out = benchgate(&["ingest", "new.txt"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    git(d, &["checkout", "-q", "feature"]);
    let out = benchgate(
        &["--json", "ingest", "new.txt", "--baseline", "merge-base"],
        d,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let cmp: Value = serde_json::from_slice(&out.stdout).unwrap();
    let label = cmp["baseline"]["label"].as_str().unwrap();
    let fork_commit = fork["provenance"]["commit"].as_str().unwrap();
    assert_eq!(
        label,
        format!(
            "merge-base:main = commit:{fork_commit} (run {})",
            fork["id"].as_str().unwrap()
        )
    );
    // A branch that does not exist is a clear error, and nothing is stored.
    let before = stored_runs(d).len();
    let out = benchgate(&["ingest", "new.txt", "--baseline", "merge-base:nope"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: baseline merge-base:nope: git merge-base HEAD nope: "),
        "{}",
        stderr(&out)
    );
    assert_eq!(stored_runs(d).len(), before);
}

/// A large value of a unit benchgate does not know is humanised (`6.382 Gbit/s`, not
/// `6381647674 bit/s`) in the terminal and Markdown, and a count of one takes the singular
/// (`(1 benchmark)`, not `(1 benchmarks)`).
#[test]
fn large_custom_values_are_humanised_and_counts_agree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("link.txt"),
        "goos: linux\nBenchmarkLink-2   \t100\t  10.0 ns/op\t6381647674 bit/s\n",
    )
    .unwrap();
    std::fs::write(d.join("none.toml"), "").unwrap();
    let out = benchgate(&["ingest", "--config", "none.toml", "link.txt"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains(" 6.382 Gbit/s "), "{table}");
    assert!(!table.contains("6381647674"), "{table}");
    let out = benchgate(
        &[
            "compare",
            "--config",
            "none.toml",
            "--format",
            "md",
            "link.txt",
            "link.txt",
        ],
        d,
    );
    let markdown = stdout(&out);
    assert!(
        markdown.contains("| bit/s (1 benchmark) | 6.382 Gbit/s | 6.382 Gbit/s | +0.0% |"),
        "{markdown}"
    );
    assert!(!markdown.contains("(1 benchmarks)"), "{markdown}");
}
