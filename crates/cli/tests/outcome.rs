//! A regression never passes silently and every output agrees with the exit code: settings of
//! one suite do not judge another source, misspelt measures are errors, warnings denied fail in
//! every format, a failing base side of `ab` is a failed command, write failures come after the
//! report, and FILTER selects the names reports use.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{
    assert_valid, benchgate, benchgate_command, benchgate_with_env, spawn, stderr, stdout,
};
use serde_json::Value;

fn go_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../adapters/tests/fixtures/go/benchstat")
        .join(name)
}

/// A directory holding the repository's example benchgate.toml and the README's Go files (the
/// same `go test -count 10` run twice, Compress made 10 % and Search 50 % slower).
fn example_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benchgate.toml");
    std::fs::copy(example, dir.path().join("benchgate.toml")).unwrap();
    for f in ["old.txt", "new.txt"] {
        std::fs::copy(go_fixture(f), dir.path().join(f)).unwrap();
    }
    dir
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

fn verdict<'a>(c: &'a Value, bench: &str, measure: &str) -> &'a Value {
    c["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["benchmark"] == bench && v["measure"] == measure)
        .unwrap_or_else(|| panic!("no {bench} {measure} in {c}"))
}

/// (benchmark, measure, kind, severity) of every verdict, sorted.
fn kinds(c: &Value) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = c["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["benchmark"].as_str().unwrap().to_string(),
                v["measure"].as_str().unwrap().to_string(),
                v["kind"].as_str().unwrap().to_string(),
                v["severity"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_example_config_does_not_judge_other_sources_and_compare_agrees_with_ingest() {
    let dir = example_dir();
    let d = dir.path();
    let out = benchgate(&["ingest", "-q", "old.txt"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = benchgate(&["--json", "ingest", "new.txt"], d);
    // Search-2 is 50 % slower: it fails, whatever min_delta the command suite uses.
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(
            "note: benchgate.toml's [gate], budgets and checks judge command (its own [[bench]] suite) \
             runs; this ingest:go run is judged with the defaults and the flags"
        ),
        "{}",
        stderr(&out)
    );
    let ingested = json(&out);
    assert_valid("comparison.v1.schema.json", &ingested);
    assert_eq!(ingested["outcome"], "failed");
    let search = verdict(&ingested, "Search-2", "wall_time");
    assert_eq!(
        (&search["kind"], &search["severity"]),
        (&"regressed".into(), &"fail".into())
    );
    // No budget of the command suite (max RSS) judged the Go run.
    assert!(ingested.get("budgets").is_none(), "{ingested}");

    let out = benchgate(&["--json", "compare", "old.txt", "new.txt"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let compared = json(&out);
    assert_eq!(kinds(&compared), kinds(&ingested));
    assert_eq!(compared["outcome"], ingested["outcome"]);
}

#[test]
fn a_change_below_min_delta_says_so_and_an_unmeasured_budget_fails() {
    let dir = example_dir();
    let d = dir.path();
    // The same file judging the Go runs on purpose: min_delta 20µs and a max RSS budget.
    let config = std::fs::read_to_string(d.join("benchgate.toml")).unwrap();
    std::fs::write(
        d.join("benchgate.toml"),
        config.replace(
            "\nbaseline = \"last\"\n",
            "\nbaseline = \"last\"\nsources = [\"command\", \"ingest:go\"]\n",
        ),
    )
    .unwrap();
    // The max RSS budget has nothing to check in Go results: it cannot be evaluated, so it
    // fails (never a silent pass), the first run as every later one.
    let out = benchgate(&["ingest", "-q", "old.txt"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = benchgate(&["ingest", "new.txt"], d);
    let text = stdout(&out);
    // Search-2: +49.7 %, p<0.001, but 18.66µs: not flagged, and the table says why.
    let row = text
        .lines()
        .find(|l| l.starts_with("Search-2 ") && l.contains("(p"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains("+49.7% (p<0.001 n=10) below min_delta 20µs"),
        "{row}"
    );
    assert!(row.trim_end().ends_with("ok"), "{row}");
    assert!(
        text.contains("Search-2 · wall_time: ok — +49.7% (p<0.001"),
        "{text}"
    );
    assert!(
        text.contains("is below min_delta 20.00µs in absolute terms"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == [
                    "max_rss",
                    "≤",
                    "64MiB",
                    "on",
                    "*",
                    "Search-2",
                    "-",
                    "-",
                    "-",
                    "unmeasured"
                ]),
        "{text}"
    );
    assert!(
        text.contains(
            "Search-2 · max_rss: ERROR — budget #2 max_rss ≤ 64MiB on *: Search-2 not checked: no benchmark it applies to has max_rss measured (measures here: wall_time, alloc_bytes, allocs)"
        ),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        text.trim_end().lines().last().unwrap(),
        "FAILED: 4 failing of 8 gated comparisons",
        "{text}"
    );
}

#[test]
fn misspelt_or_unknown_measures_are_errors() {
    let dir = example_dir();
    let d = dir.path();
    let out = benchgate(
        &["compare", "--measure", "wall_tme", "old.txt", "new.txt"],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(
        stderr(&out).trim(),
        "error: --measure \"wall_tme\": unknown measure (did you mean \"wall_time\"?)"
    );
    let out = benchgate(&["compare", "--measure", "bogus", "old.txt", "new.txt"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(
            "error: unknown measure \"bogus\": no benchmark has it; measures here: wall_time, \
             alloc_bytes, allocs\n"
        ),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    // In the file: an error with its line, before anything is measured.
    std::fs::write(
        d.join("benchgate.toml"),
        "[gate]\nmeasures = [\"wall_tme\"]\n\n[[bench]]\nname = \"t\"\ncommand = \"true\"\n",
    )
    .unwrap();
    let out = benchgate(&["run"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("benchgate.toml:2:")
            && stderr(&out).contains("unknown measure \"wall_tme\" (did you mean \"wall_time\"?)"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join(".benchgate").exists(), "nothing stored");
}

#[test]
fn denied_warnings_fail_in_every_output() {
    let dir = example_dir();
    let d = dir.path();
    // With fail at 1000 %, Compress (+10 %) and Search (+50 %) are warnings.
    let base = ["compare", "--fail", "1000%", "--config", "none.toml"];
    std::fs::write(d.join("none.toml"), "").unwrap();
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        args.extend(["old.txt", "new.txt"]);
        benchgate(&args, d)
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .trim_end()
            .ends_with("PASSED with warnings: 2 warnings of 4 gated comparisons"),
        "{}",
        stdout(&out)
    );
    let out = run(&["--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .trim_end()
            .ends_with("FAILED (warnings denied): 2 warnings of 4 gated comparisons"),
        "{}",
        stdout(&out)
    );
    let out = run(&["--deny-warnings", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let c = json(&out);
    assert_valid("comparison.v1.schema.json", &c);
    assert_eq!(c["outcome"], "failed");
    assert_eq!(c["deny_warnings"], true);
    let out = run(&["--deny-warnings", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(xml.contains("failures=\"2\""), "{xml}");
    assert!(xml.contains("(warning, denied)"), "{xml}");
    let out = run(&["--deny-warnings", "--format", "md"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("### ❌ benchgate: FAILED (warnings denied)"),
        "{}",
        stdout(&out)
    );
    // Without --deny-warnings JUnit has no failure.
    let out = run(&["--format", "junit"]);
    assert!(stdout(&out).contains("failures=\"0\""), "{}", stdout(&out));
}

#[test]
fn ab_fails_when_either_side_fails() {
    let dir = tempfile::tempdir().unwrap();
    for (base, head) in [("false", "true"), ("true", "false")] {
        let out = benchgate(
            &[
                "ab", "--runs", "6", "--warmup", "0", "--base", base, "--head", head,
            ],
            dir.path(),
        );
        assert_eq!(
            out.status.code(),
            Some(3),
            "{base} vs {head}: {}",
            stdout(&out)
        );
        let last = stdout(&out)
            .trim_end()
            .lines()
            .last()
            .unwrap_or("")
            .to_string();
        assert!(last.starts_with("FAILED: "), "{last}");
        assert!(last.contains("failed"), "{last}");
    }
}

#[test]
fn writes_that_fail_after_the_run_come_after_the_report() {
    let dir = example_dir();
    let d = dir.path();
    std::fs::write(d.join("none.toml"), "").unwrap();
    // A passing comparison whose asked-for export cannot be written: the report, then the error,
    // exit 2.
    let out = benchgate(
        &[
            "compare",
            "--config",
            "none.toml",
            "--export-json",
            "no/such/dir/out.json",
            "old.txt",
            "old.txt",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("PASSED"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("no/such/dir/out.json"),
        "{}",
        stderr(&out)
    );
    // A failing gate keeps its exit code.
    let out = benchgate(
        &[
            "compare",
            "--config",
            "none.toml",
            "--export-json",
            "no/such/dir/out.json",
            "old.txt",
            "new.txt",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("FAILED"), "{}", stdout(&out));
    // An unwritable step summary is a warning; the gate's exit code stands.
    let out = benchgate_with_env(
        &["compare", "--config", "none.toml", "old.txt", "old.txt"],
        d,
        &[("GITHUB_STEP_SUMMARY", "no/such/dir/summary.md")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("PASSED"));
    assert!(
        stderr(&out).starts_with("warning: cannot open $GITHUB_STEP_SUMMARY"),
        "{}",
        stderr(&out)
    );
    // An SQLite store that cannot be created is refused before anything is stored.
    std::fs::write(d.join("a-file"), "").unwrap();
    let out = benchgate(
        &["--db", "sqlite://a-file/history.db", "ingest", "old.txt"],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot open the history store: a-file/history.db")
            && stderr(&out).contains("nothing was measured"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_filter_selects_expanded_names_and_scans_are_named_by_their_commands() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("benchgate.toml"),
        "[defaults]\nwarmup = 0\nruns = 2\n\n[[bench]]\nname = \"t/level\"\ncommand = \"true {flag}\"\nparams = { flag = [\"a\", \"b\", \"c\"] }\n\n[[bench]]\nname = \"other\"\ncommand = \"true\"\n",
    )
    .unwrap();
    let out = benchgate(&["--json", "run", "t/level/flag=b"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let c = json(&out);
    let names: Vec<&str> = c["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["benchmark"].as_str().unwrap())
        .collect();
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| *n == "t/level/flag=b"), "{names:?}");
    let out = benchgate(&["run", "nothing/like/this"], d);
    assert_eq!(out.status.code(), Some(2));
    // An ad-hoc scan: each benchmark is named by the command it ran.
    let out = benchgate(
        &[
            "run",
            "--runs",
            "2",
            "--warmup",
            "0",
            "--parameter-list",
            "n",
            "1,2",
            "--export-json",
            "scan.json",
            "--",
            "true {n}",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = common::read_json(&d.join("scan.json"));
    assert_eq!(common::benchmark_names(&run), ["true 1", "true 2"]);
}

/// Exports write through symbolic links and into special files; only regular files are replaced
/// (atomically). As root, replacing `/dev/stdout` or `/dev/null` with a regular file would break
/// the machine, so the test uses a FIFO and a link of its own.
#[test]
fn exports_write_through_links_and_special_files() {
    use std::os::unix::fs::FileTypeExt;
    let dir = example_dir();
    let d = dir.path();
    std::fs::write(d.join("none.toml"), "").unwrap();
    std::fs::write(d.join("real.json"), "old").unwrap();
    std::os::unix::fs::symlink("real.json", d.join("link.json")).unwrap();
    let out = benchgate(
        &[
            "compare",
            "--config",
            "none.toml",
            "--export-json",
            "link.json",
            "old.txt",
            "old.txt",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(d.join("link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("real.json")).unwrap()).unwrap();
    assert_eq!(written["schema"], "benchgate/comparison/v1");

    let fifo = d.join("fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = benchgate(
        &[
            "compare",
            "--config",
            "none.toml",
            "--export-json",
            "fifo",
            "old.txt",
            "old.txt",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Checked before waiting for the reader, which would wait forever on a replaced FIFO.
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    let through: Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(through["outcome"], "passed");
}

/// `--export-json /dev/stdout` with standard output redirected to a file: the JSON follows the
/// report in that file, which is neither truncated nor replaced (the report used to be lost).
#[test]
fn an_export_to_dev_stdout_follows_the_report() {
    let dir = example_dir();
    let d = dir.path();
    std::fs::write(d.join("none.toml"), "").unwrap();
    let captured = std::fs::File::create(d.join("out.txt")).unwrap();
    // The real binary: `/dev/stdout` must be its own standard output.
    let status = spawn(
        benchgate_command(d, &[])
            .args([
                "compare",
                "--config",
                "none.toml",
                "--export-json",
                "/dev/stdout",
                "old.txt",
                "old.txt",
            ])
            .stdout(captured),
    )
    .wait()
    .unwrap();
    assert_eq!(status.code(), Some(0));
    let text = std::fs::read_to_string(d.join("out.txt")).unwrap();
    let json_at = text.find("{\n").expect("the JSON is there");
    assert!(
        text[..json_at].contains("wall_time ") && text[..json_at].contains("Hash-2"),
        "{text}"
    );
    let exported: Value = serde_json::from_str(&text[json_at..]).unwrap();
    assert_eq!(exported["schema"], "benchgate/comparison/v1");
}

/// Every command's exports (`run`, `compare`, `ingest` --export-json/--export-markdown, a
/// configured suite, `export -o`) write through a symbolic link, leave it a link, and create
/// new files with the umask's permissions (0600 under umask 077, 0644 under 022).
#[test]
fn every_export_writes_through_links_and_respects_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = example_dir();
    let d = dir.path();
    std::fs::write(d.join("none.toml"), "").unwrap();
    std::fs::write(
        d.join("suite.toml"),
        "[[bench]]\nname = \"t\"\ncommand = \"true\"\nruns = 2\nwarmup = 0\n",
    )
    .unwrap();
    let commands: [&[&str]; 5] = [
        &[
            "run", "-q", "--runs", "2", "--warmup", "0", "--EXPORT", "FILE", "--", "true",
        ],
        &[
            "compare",
            "--config",
            "none.toml",
            "--EXPORT",
            "FILE",
            "old.txt",
            "old.txt",
        ],
        &[
            "ingest",
            "--config",
            "none.toml",
            "--EXPORT",
            "FILE",
            "old.txt",
        ],
        &["run", "-q", "--config", "suite.toml", "--EXPORT", "FILE"],
        &["export", "-o", "FILE", "last"],
    ];
    let mut n = 0;
    for command in commands {
        let flags: &[&str] = if command[0] == "export" {
            &["-o"]
        } else {
            &["--export-json", "--export-markdown"]
        };
        for flag in flags {
            for (umask, mode) in [("077", 0o600), ("022", 0o644)] {
                n += 1;
                let target = format!("target{n}");
                let link = format!("link{n}");
                std::os::unix::fs::symlink(&target, d.join(&link)).unwrap();
                let fresh = format!("fresh{n}");
                for file in [&link, &fresh] {
                    let args: Vec<&str> = command
                        .iter()
                        .map(|a| match *a {
                            "--EXPORT" => *flag,
                            "FILE" => file.as_str(),
                            a => a,
                        })
                        .collect();
                    // The real binary under `sh`: the umask is the process's.
                    let out = spawn(
                        std::process::Command::new("sh")
                            .arg("-c")
                            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
                            .arg(env!("CARGO_BIN_EXE_benchgate"))
                            .args(&args)
                            .current_dir(d)
                            .env("NO_COLOR", "1")
                            .env_remove("GITHUB_STEP_SUMMARY")
                            .env_remove("BENCHGATE_DB")
                            .stdout(Stdio::piped())
                            .stderr(Stdio::piped()),
                    )
                    .wait_with_output()
                    .unwrap();
                    assert!(
                        out.status.code() == Some(0) || out.status.code() == Some(1),
                        "{args:?}: {}",
                        stderr(&out)
                    );
                }
                let link_meta = std::fs::symlink_metadata(d.join(&link)).unwrap();
                assert!(link_meta.file_type().is_symlink(), "{command:?} {flag}");
                for file in [&target, &fresh] {
                    let meta = std::fs::metadata(d.join(file)).unwrap();
                    assert!(meta.is_file() && meta.len() > 0, "{command:?} {flag}");
                    assert_eq!(
                        meta.permissions().mode() & 0o777,
                        mode,
                        "{command:?} {flag} under umask {umask}"
                    );
                }
            }
        }
    }
    // The suite stored a run, which `export` read.
    assert_eq!(n, 18);
}
